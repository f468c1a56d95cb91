"""When a person deletes their account, moderation's records keep what happened, not their name."""

from __future__ import annotations

from accounts.models import User
from townsite.moderation.models import ModerationAction, Report
from townsite.moderation.registry import PERSON


def forget_person(user: User, label: str) -> None:
    """Name the person `label` ("deleted account no. 42") wherever moderation quoted them or
    their content; called in the deletion's transaction, before the account goes. Who acted as
    a moderator stays named, as in the audit log."""
    ModerationAction.objects.filter(target_user=user).update(target_label=label)
    ModerationAction.objects.filter(target_kind=PERSON, target_id=str(user.pk)).update(
        target_label=label
    )
    Report.objects.filter(target_author=user).update(excerpt=label)
