"""The checks modules make before someone posts or writes: suspended? blocked? verified?

from townsite.moderation.access import ensure_may_contribute, is_blocked_between

ensure_may_contribute(user)          # raises ContributionRefused (French message)
if is_blocked_between(sender, recipient): refuse the message
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from townsite.models import ResidentProfile
from townsite.moderation.errors import ContributionRefused
from townsite.moderation.models import Block


def is_suspended(user: User) -> bool:
    return ResidentProfile.objects.filter(user_id=user.pk, suspended_at__isnull=False).exists()


def may_contribute(user: User) -> bool:
    """Whether this person may post, answer or write a message (reading is always allowed)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return not is_suspended(user)


def ensure_may_contribute(user: User) -> None:
    """Raise ContributionRefused, with a message for the person, when they may not post."""
    if not (user.is_authenticated and user.is_active):
        raise ContributionRefused(_("Please log in to take part."))
    if is_suspended(user):
        raise ContributionRefused(
            _(
                "Your account is suspended by the moderators: you can still read the site, "
                "download your data or delete your account, but you cannot post or write "
                "messages."
            )
        )


def is_blocked_between(a: User, b: User) -> bool:
    """Whether either person has blocked the other (then neither may write to the other)."""
    if a.pk is None or b.pk is None or a.pk == b.pk:
        return False
    return Block.objects.filter(
        Q(blocker_id=a.pk, blocked_id=b.pk) | Q(blocker_id=b.pk, blocked_id=a.pk)
    ).exists()


def has_blocked(blocker: User, blocked: User) -> bool:
    return Block.objects.filter(blocker_id=blocker.pk, blocked_id=blocked.pk).exists()


def is_verified(user: User) -> bool:
    """Whether the town's staff verified this resident (the badge)."""
    return ResidentProfile.objects.filter(user_id=user.pk, verified_at__isnull=False).exists()
