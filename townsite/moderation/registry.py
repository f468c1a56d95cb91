"""What can be reported and hidden: each module registers its kinds of content here.

A module makes a kind of content moderated in its AppConfig.ready()::

    from townsite.moderation import registry

    registry.register(
        Post,                                   # a model inheriting townsite.models.Moderated
        key="annonce",                          # in URLs: /signaler/annonce/<id>/
        label=_("post"),                        # how moderators read it: "a post"
        author=lambda post: post.author,        # obj -> User | None
        excerpt=lambda post: post.title,        # obj -> str (cut to 300 characters)
        url=lambda post: post.get_absolute_url(),   # obj -> str, a path on the town's site
        authored_by=lambda user: Post.objects.filter(author=user),  # for suspensions
        can_report=lambda user, post: True,     # may this person see and report it?
        hide=None, restore=None,                # optional hooks, see below
    )

The signature::

    register(model, *, key, label, author, excerpt, url,
             hide=None, restore=None, authored_by=None, can_report=None) -> Kind

- A model inheriting `Moderated` is hideable: moderation sets `hidden_at`, `hidden_by`,
  `hidden_reason` (and `hidden_with_suspension`) itself, on the row it has locked, then calls
  `hide(obj)` / `restore(obj)` if given, in the same transaction (to refresh a search index,
  close a conversation...). Lists show `Model.objects.visible()`.
- `authored_by(user)` returns the queryset of a person's content of this kind: suspending them
  hides what is visible there, lifting the suspension brings back what the suspension hid.
- `can_report(user, obj)` says whether this person can see the object (a private message:
  only the people in the conversation). Without it, anybody signed in can report what is not
  hidden. Whatever it says, nobody reports their own content.
- A person (the User) is registered here as the kind "personne": not hideable, its author is
  the person themself.

In templates, the report link and the verified badge::

    <a href="{% url 'townsite:report' kind='annonce' target_id=post.pk %}">Signaler</a>
    <a href="{% url 'townsite:report' kind='personne' target_id=post.author_id %}">…</a>
    {{ post.author.display_name }}
    {% include "townsite/_resident_badge.html" with person=post.author %}

(list pages select_related("author__resident_profile") so the badge costs no query.)

Modules check contributions with townsite.moderation.access (`may_contribute`,
`ensure_may_contribute`, `is_blocked_between`, `is_verified`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from townsite.moderation.models import Moderated

EXCERPT_LENGTH = 300
KEY = re.compile(r"[a-z][a-z0-9_-]{0,39}")


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    key: str
    label: str | Promise
    author: Callable[[Any], User | None]
    excerpt: Callable[[Any], str]
    url: Callable[[Any], str]
    hide: Callable[[Any], None] | None = None
    restore: Callable[[Any], None] | None = None
    authored_by: Callable[[User], models.QuerySet[Any]] | None = None
    can_report: Callable[[User, Any], bool] | None = None

    @property
    def hideable(self) -> bool:
        return issubclass(self.model, Moderated)

    def get(self, target_id: str | int) -> Any | None:
        """The object, hidden or not (the base manager: a module's default one may filter)."""
        try:
            return self.model._base_manager.filter(pk=target_id).first()
        except (ValueError, TypeError):
            return None

    def locked(self, target_id: str | int) -> Any | None:
        try:
            return self.model._base_manager.select_for_update().filter(pk=target_id).first()
        except (ValueError, TypeError):
            return None

    def excerpt_of(self, obj: Any) -> str:
        text = " ".join(str(self.excerpt(obj)).split())
        if len(text) > EXCERPT_LENGTH:
            text = text[: EXCERPT_LENGTH - 1] + "…"
        return text

    def reportable_by(self, user: User, obj: Any) -> bool:
        if getattr(obj, "hidden_at", None) is not None:
            return False
        author = self.author(obj)
        if author is not None and author.pk == user.pk:
            return False
        return self.can_report(user, obj) if self.can_report else True


_KINDS: dict[str, Kind] = {}


def register(
    model: type[models.Model],
    *,
    key: str,
    label: str | Promise,
    author: Callable[[Any], User | None],
    excerpt: Callable[[Any], str],
    url: Callable[[Any], str],
    hide: Callable[[Any], None] | None = None,
    restore: Callable[[Any], None] | None = None,
    authored_by: Callable[[User], models.QuerySet[Any]] | None = None,
    can_report: Callable[[User, Any], bool] | None = None,
) -> Kind:
    """Make a kind of content reportable (and hideable if `model` inherits Moderated)."""
    if not KEY.fullmatch(key):
        raise ValueError(f"moderation key {key!r} must be a short slug")
    if (hide or restore) and not issubclass(model, Moderated):
        raise ValueError(f"{model.__name__} must inherit Moderated to be hidden")
    kind = Kind(
        model=model,
        key=key,
        label=label,
        author=author,
        excerpt=excerpt,
        url=url,
        hide=hide,
        restore=restore,
        authored_by=authored_by,
        can_report=can_report,
    )
    existing = _KINDS.get(key)
    if existing is not None and existing.model is not model:
        raise ValueError(f"moderation key {key!r} registered twice")
    _KINDS[key] = kind
    return kind


def unregister(key: str) -> None:
    """For tests that register a kind of their own."""
    _KINDS.pop(key, None)


def get(key: str) -> Kind | None:
    return _KINDS.get(key)


def kind_of(obj: models.Model) -> Kind | None:
    for kind in _KINDS.values():
        if isinstance(obj, kind.model):
            return kind
    return None


def all_kinds() -> list[Kind]:
    return list(_KINDS.values())


PERSON = "personne"


def _person_can_be_reported(user: User, person: User) -> bool:
    return person.is_active


register(
    User,
    key=PERSON,
    label=_("person"),
    author=lambda person: person,
    excerpt=lambda person: person.display_name,
    url=lambda person: "",
    can_report=_person_can_be_reported,
)
