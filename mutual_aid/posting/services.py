"""Writing posts: publish, update, close, renew, delete. The only code that changes a post's text,
dates, photos, status or expiry (the pages and the API both call it).

Each write locks and re-reads its post, saves only what changed, and records itself in the
town's log of actions. Refusals are `NotAllowed` (the person may not), bad data is a
`ValidationError` keyed by field (what to correct).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from mutual_aid.access import NotAllowed, ensure_may_contribute
from mutual_aid.following.services import on_post_published
from mutual_aid.models import MAX_PHOTOS, POST_LIFETIME, TEXT_MAX, TITLE_MAX, Category, Post
from mutual_aid.posting import photos as post_photos
from tenants import audit
from townsite.models import Neighbourhood

# What an author may change, and what `update_post` compares to decide there is nothing to do.
EDITABLE = (
    "kind",
    "category",
    "title",
    "description",
    "neighbourhood",
    "when",
    "date_start",
    "date_end",
    "rhythm",
)
# update_post's photo changes: new photos, ids of photos to remove, {id: new description}.
PHOTO_CHANGES = ("photos_add", "photos_remove", "photo_descriptions")
RHYTHM_MAX = Post._meta.get_field("rhythm").max_length or 120
# Renewing a post renewed less than this ago changes nothing (a second click, a retried form).
RENEW_GRACE = timedelta(days=1)
# A ride or a group purchase says what it is in its details: its description may stay empty.
DESCRIPTION_OPTIONAL = frozenset({Post.Type.CARPOOL, Post.Type.GROUP_PURCHASE})


@transaction.atomic
def publish_post(
    author: User,
    *,
    kind: str,
    category: Category | int | None,
    title: str,
    description: str,
    neighbourhood: Neighbourhood | int | None = None,
    when: str = "",
    date_start: date | str | None = None,
    date_end: date | str | None = None,
    rhythm: str = "",
    photos: Iterable[Any] = (),
    type: str = Post.Type.GENERAL,
    expires_at: datetime | None = None,
) -> Post:
    """A new open post by `author`, valid for 30 days unless `expires_at` says otherwise, with
    up to 4 photos. An exchange (loan, ride, group purchase) is published through here too,
    inside the transaction that then writes its details."""
    ensure_may_contribute(author)
    if type not in Post.Type.values:
        raise ValidationError({"type": _("This kind of post does not exist.")})
    values = _cleaned(
        {
            "kind": kind,
            "category": category,
            "title": title,
            "description": description,
            "neighbourhood": neighbourhood,
            "when": when,
            "date_start": date_start,
            "date_end": date_end,
            "rhythm": rhythm,
        },
        current=None,
        description_required=type not in DESCRIPTION_OPTIONAL,
    )
    checked = _checked_photos(photos, already=0)
    post = Post(author=author, type=type, **values)
    if expires_at is not None:
        post.expires_at = expires_at
    post.save()
    post_photos.add_photos(post, checked)
    audit.record(
        "post.create",
        actor=author,
        target=post,
        after={
            "title": post.title,
            "kind": post.get_kind_display(),
            "category": post.category.name,
            "photos": len(checked),
        },
    )
    # The residents following this category or place are told, once this commits.
    on_post_published(post)
    return post


@transaction.atomic
def update_post(post: Post, editor: User, **changes: Any) -> Post:
    """Change what the author wrote: any of EDITABLE, and photos through PHOTO_CHANGES
    (`photos_add`: uploads, `photos_remove`: photo ids, `photo_descriptions`: {id: text})."""
    unknown = set(changes) - set(EDITABLE) - set(PHOTO_CHANGES)
    if unknown:
        raise TypeError(f"update_post() cannot change {sorted(unknown)}")
    ensure_may_contribute(editor)
    current = _locked_for(post, editor)
    old = {field: getattr(current, field) for field in EDITABLE}
    wanted = {**old, **{key: value for key, value in changes.items() if key in EDITABLE}}
    values = _cleaned(
        wanted, current=current, description_required=current.type not in DESCRIPTION_OPTIONAL
    )
    for field, value in values.items():
        setattr(current, field, value)
    before, after = audit.changes(current, old, list(EDITABLE))

    existing = {photo.pk: photo for photo in current.photos.all()}
    to_remove = [existing[pk] for pk in _ids(changes.get("photos_remove", ())) if pk in existing]
    descriptions = _description_changes(changes.get("photo_descriptions") or {}, existing)
    kept = len(existing) - len(to_remove)
    to_add = _checked_photos(changes.get("photos_add", ()), already=kept)
    if not after and not to_remove and not to_add and not descriptions:
        return current

    if after:
        current.save(update_fields=[*after, "updated_at"])
    for photo, text in descriptions:
        photo.description = text
        photo.save(update_fields=["description"])
    if to_remove:
        post_photos.remove_photos(to_remove)
    if to_add:
        post_photos.add_photos(current, to_add)
    if to_remove or to_add:
        before["photos"], after["photos"] = len(existing), kept + len(to_add)
    if descriptions:
        after["photo_descriptions"] = [text for _photo, text in descriptions]
    audit.record("post.update", actor=editor, target=current, before=before, after=after)
    return current


@transaction.atomic
def close_post(post: Post, actor: User) -> Post:
    """The author closes the post: no more answers; it leaves the lists (kept on their page)."""
    ensure_may_contribute(actor)
    current = _locked_for(post, actor)
    if current.status != Post.Status.OPEN:
        return current
    current.status = Post.Status.CLOSED
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(
        "post.close",
        actor=actor,
        target=current,
        before={"status": Post.Status.OPEN.label},
        after={"status": Post.Status.CLOSED.label},
    )
    return current


@transaction.atomic
def renew_post(post: Post, actor: User) -> Post:
    """Another 30 days from now for an open post (expired or not); reminded again before the end."""
    ensure_may_contribute(actor)
    current = _locked_for(post, actor)
    if current.status != Post.Status.OPEN:
        raise NotAllowed(_("This post is closed: it cannot be renewed."))
    new_expiry = timezone.now() + POST_LIFETIME
    if current.expires_at >= new_expiry - RENEW_GRACE:
        return current
    old_expiry = current.expires_at
    current.expires_at = new_expiry
    current.expiry_reminded_at = None
    current.save(update_fields=["expires_at", "expiry_reminded_at", "updated_at"])
    audit.record(
        "post.renew",
        actor=actor,
        target=current,
        before={"expires_at": old_expiry},
        after={"expires_at": new_expiry},
    )
    return current


@transaction.atomic
def delete_post(post: Post, actor: User) -> Post:
    """The author deletes the post: gone from every list and page, its photos removed; the
    conversations about it stay readable to the neighbours in them."""
    ensure_may_contribute(actor)
    current = Post.objects.select_for_update().filter(pk=post.pk).first()
    if current is None:
        raise NotAllowed(_("This post does not exist."))
    _ensure_author(current, actor)
    if current.deleted_at is not None:
        return current
    current.deleted_at = timezone.now()
    current.save(update_fields=["deleted_at", "updated_at"])
    post_photos.remove_photos(current.photos.all())
    audit.record(
        "post.delete", actor=actor, target=current, before={"title": current.title}, after={}
    )
    return current


# --- Shared steps -------------------------------------------------------------------------


def _locked_for(post: Post, editor: User) -> Post:
    """The post locked and re-read, if `editor` is its author and it is not deleted."""
    current = Post.objects.select_for_update().filter(pk=post.pk).first()
    if current is None or current.deleted_at is not None:
        raise NotAllowed(_("This post was deleted."))
    _ensure_author(current, editor)
    return current


def _ensure_author(post: Post, person: User) -> None:
    if post.author_id is None or post.author_id != person.pk:
        raise NotAllowed(_("Only the author of a post can change it."))


def _checked_photos(photos: Iterable[Any], *, already: int) -> list[post_photos.CheckedPhoto]:
    photos = list(photos or ())
    if already + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": post_photos.photo_error("too_many")})
    try:
        return post_photos.checked_photos(photos)
    except ValidationError as error:
        raise ValidationError({"photos": error}) from None


def _ids(values: Iterable[Any]) -> list[int]:
    return [int(value) for value in values if str(value).isdecimal()]


def _description_changes(
    wanted: Mapping[Any, Any], existing: Mapping[int, Any]
) -> list[tuple[Any, str]]:
    changed = []
    for key, text in wanted.items():
        photo = existing.get(int(key)) if str(key).isdecimal() else None
        text = " ".join(str(text or "").split())
        if len(text) > post_photos.DESCRIPTION_MAX:
            raise ValidationError({"photos": post_photos.photo_error("description_too_long")})
        if photo is not None and photo.description != text:
            changed.append((photo, text))
    return changed


def _cleaned(
    values: dict[str, Any], *, current: Post | None, description_required: bool = True
) -> dict[str, Any]:
    """The post's fields as stored, or a ValidationError naming each field to correct.

    A date may not be in the past, unless it is the one the post already had (an old post
    keeps its date when only its text is corrected)."""
    errors: dict[str, Any] = {}
    out: dict[str, Any] = {}

    kind = str(values.get("kind") or "")
    if kind not in Post.Kind.values:
        errors["kind"] = _("Choose whether you offer help or ask for it.")
    out["kind"] = kind

    title = " ".join(str(values.get("title") or "").split())
    if not title:
        errors["title"] = _("Give your post a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _too_long(TITLE_MAX, len(title))
    out["title"] = title

    description = str(values.get("description") or "").replace("\r\n", "\n").strip()
    if not description and description_required:
        errors["description"] = _("Say in a few words what it is about.")
    elif len(description) > TEXT_MAX:
        errors["description"] = _too_long(TEXT_MAX, len(description))
    out["description"] = description

    out["category"] = _category(values.get("category"), current, errors)
    out["neighbourhood"] = _neighbourhood(values.get("neighbourhood"), errors)
    out.update(_when(values, current, errors))
    if errors:
        raise ValidationError(errors)
    return out


def _too_long(limit: int, length: int) -> str:
    return _("At most %(limit)s characters, please (this text has %(length)s).") % {
        "limit": limit,
        "length": length,
    }


def _category(value: Any, current: Post | None, errors: dict[str, Any]) -> Category | None:
    pk = value.pk if isinstance(value, Category) else value
    found = Category.objects.filter(pk=pk).first() if str(pk or "").isdecimal() else None
    # A category the town switched off stays on the posts that have it, and takes no new ones.
    if found is None or not (found.enabled or (current and current.category_id == found.pk)):
        errors["category"] = _("Choose a category from the list.")
    return found


def _neighbourhood(value: Any, errors: dict[str, Any]) -> Neighbourhood | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Neighbourhood) else value
    found = Neighbourhood.objects.filter(pk=pk).first() if str(pk).isdecimal() else None
    if found is None:
        errors["neighbourhood"] = _("Choose a place from the list.")
    return found


def _when(values: dict[str, Any], current: Post | None, errors: dict[str, Any]) -> dict[str, Any]:
    when = str(values.get("when") or "")
    if when not in Post.When.values:
        errors["when"] = _("Choose when from the list.")
        return {"when": "", "date_start": None, "date_end": None, "rhythm": ""}
    start = _date(values.get("date_start"), "date_start", errors)
    end = _date(values.get("date_end"), "date_end", errors)
    rhythm = " ".join(str(values.get("rhythm") or "").split())
    today = timezone.localdate()

    def past(field: str, value: date | None) -> bool:
        unchanged = current is not None and getattr(current, field) == value
        return value is not None and value < today and not unchanged

    if when == Post.When.DATE:
        if start is None and "date_start" not in errors:
            errors["date_start"] = _("Give the date.")
        elif past("date_start", start):
            errors["date_start"] = _("This date is already past: choose today or a later day.")
        return {"when": when, "date_start": start, "date_end": None, "rhythm": ""}
    if when == Post.When.PERIOD:
        if start is None and "date_start" not in errors:
            errors["date_start"] = _("Give the first day.")
        elif past("date_start", start):
            errors["date_start"] = _("This date is already past: choose today or a later day.")
        if end is None and "date_end" not in errors:
            errors["date_end"] = _("Give the last day.")
        elif start is not None and end is not None and end < start:
            errors["date_end"] = _("The last day comes after the first one.")
        elif past("date_end", end):
            errors["date_end"] = _("This date is already past: choose today or a later day.")
        return {"when": when, "date_start": start, "date_end": end, "rhythm": ""}
    if when == Post.When.REGULAR:
        if not rhythm:
            errors["rhythm"] = _("Say how often, for example “every Saturday morning”.")
        elif len(rhythm) > RHYTHM_MAX:
            errors["rhythm"] = _too_long(RHYTHM_MAX, len(rhythm))
        return {"when": when, "date_start": None, "date_end": None, "rhythm": rhythm}
    return {"when": "", "date_start": None, "date_end": None, "rhythm": ""}


def _date(value: Any, field: str, errors: dict[str, Any]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = _("Write the date as day/month/year, for example 24/12/2026.")
        return None
