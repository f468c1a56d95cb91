"""What residents do in the idea box: submit, support or withdraw, follow. The only place
that writes these (comments: participation.ideas.comments; the town's answers:
participation.ideas.answers)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from participation.ideas import list_cache
from participation.ideas.access import NotAllowed, ensure_may_contribute
from participation.ideas.images import CheckedIdeaImage, stored_content
from participation.ideas.models import Idea, IdeaCategory, IdeaFollow, IdeaSupport
from tenants.audit import record
from townsite.models import Neighbourhood


class AlreadySupported(NotAllowed):
    """A second support of the same idea by the same resident (the API answers 409)."""


@dataclass(frozen=True)
class IdeaValues:
    title: str
    description: str
    category: IdeaCategory
    neighbourhood: Neighbourhood | None = None
    image: CheckedIdeaImage | None = None
    image_description: str = ""


def submit_idea(author: User, values: IdeaValues) -> Idea:
    """Publish a resident's idea; its author follows it from the start."""
    content = stored_content(values.image) if values.image is not None else None
    stored = ""
    try:
        with transaction.atomic():
            ensure_may_contribute(author)
            category = IdeaCategory.objects.filter(pk=values.category.pk, enabled=True).first()
            if category is None:
                raise NotAllowed(_("This category is no longer offered. Choose another one."))
            idea = Idea(
                author=author,
                title=values.title,
                description=values.description,
                category=category,
                neighbourhood=values.neighbourhood,
                image_description=values.image_description if content else "",
            )
            if content is not None:
                idea.image.save(content.name or "image", content, save=False)
                stored = idea.image.name or ""
            idea.save()
            IdeaFollow.objects.create(idea=idea, user=author)
            record("idea.submit", actor=author, target=idea, target_label=idea.title)
    except Exception:
        # Files are not transactional: an idea that is not saved takes its image with it.
        if stored:
            default_storage.delete(stored)
        raise
    return idea


def _locked(idea_pk: int) -> Idea:
    return Idea.objects.select_for_update().get(pk=idea_pk)


def _ensure_open(idea: Idea) -> None:
    if idea.is_merged:
        raise NotAllowed(_("This idea was merged into another one: support that one instead."))
    if not idea.is_open:
        raise NotAllowed(_("This idea is closed: it can no longer be supported or discussed."))


@transaction.atomic
def support(user: User, idea: Idea) -> IdeaSupport:
    """One support per resident, authors included (each person counts once, the author as
    much as anyone). A second support is refused with a message."""
    ensure_may_contribute(user)
    idea = _locked(idea.pk)
    _ensure_open(idea)
    if IdeaSupport.objects.filter(idea=idea, user=user).exists():
        if idea.author_id == user.pk:
            raise AlreadySupported(_("You already support your own idea: one support per person."))
        raise AlreadySupported(_("You already support this idea: one support per person."))
    row = IdeaSupport.objects.create(idea=idea, user=user)
    Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
    return row


@transaction.atomic
def withdraw_support(user: User, idea: Idea) -> bool:
    """Take one's support back; False when there was none."""
    ensure_may_contribute(user)
    idea = _locked(idea.pk)
    deleted, _rows = IdeaSupport.objects.filter(idea=idea, user=user).delete()
    if not deleted:
        return False
    list_cache.bump()  # a delete() of rows sends no signal the list listens to
    Idea.objects.filter(pk=idea.pk, support_count__gt=0).update(
        support_count=F("support_count") - 1
    )
    return True


@transaction.atomic
def follow(user: User, idea: Idea) -> bool:
    """Be told of the idea's answers; False when already following."""
    if not user.is_authenticated:
        raise NotAllowed(_("Log in to take part."))
    _created = IdeaFollow.objects.get_or_create(idea=idea, user=user)[1]
    return _created


@transaction.atomic
def unfollow(user: User, idea: Idea) -> bool:
    deleted, _rows = IdeaFollow.objects.filter(idea=idea, user=user).delete()
    return deleted > 0
