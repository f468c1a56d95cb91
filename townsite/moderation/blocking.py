"""A resident blocks or unblocks another: neither can then write to the other."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from townsite.moderation.errors import ModerationError
from townsite.moderation.models import Block


def blockable_person(blocker: User, person_id: int) -> User:
    """Someone this person may block, or 404 (an unknown or closed account looks the same)."""
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None or not blocker.is_authenticated:
        raise Http404
    return person


@transaction.atomic
def block(blocker: User, person_id: int) -> Block | None:
    """Block someone; None when they were blocked already."""
    blocker = User.objects.select_for_update().get(pk=blocker.pk)
    person = blockable_person(blocker, person_id)
    if person.pk == blocker.pk:
        raise ModerationError(_("You cannot block yourself."))
    if person.is_moderator:
        raise ModerationError(
            _(
                "You cannot block a member of the town's team. If they behave badly, report "
                "them: another moderator will look at it."
            )
        )
    if Block.objects.filter(blocker=blocker, blocked=person).exists():
        return None
    return Block.objects.create(blocker=blocker, blocked=person)


@transaction.atomic
def unblock(blocker: User, person_id: int) -> bool:
    """Unblock someone the person blocked; False when there was nothing to undo."""
    blocker = User.objects.select_for_update().get(pk=blocker.pk)
    deleted, _per_model = Block.objects.filter(blocker=blocker, blocked_id=person_id).delete()
    return deleted > 0


def blocked_by(user: User) -> list[Block]:
    return list(Block.objects.filter(blocker=user).select_related("blocked"))
