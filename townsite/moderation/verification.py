"""Staff mark a resident as verified (met at the town hall, for instance): a badge by the name."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from tenants import audit
from townsite.models import ResidentProfile
from townsite.moderation.services import current_moderator


def _locked_resident_profile(user_id: int) -> ResidentProfile:
    person = User.objects.filter(pk=user_id, role=User.Role.RESIDENT, is_active=True).first()
    if person is None:
        raise Http404
    ResidentProfile.objects.get_or_create(user=person)
    return ResidentProfile.objects.select_for_update().select_related("user").get(user=person)


@transaction.atomic
def set_verified(agent: User, user_id: int, *, verified: bool) -> ResidentProfile:
    """Mark or unmark a resident as verified; nothing is written when it is so already."""
    agent = current_moderator(agent)
    profile = _locked_resident_profile(user_id)
    if (profile.verified_at is not None) == verified:
        return profile
    old = {"verified_at": profile.verified_at}
    profile.verified_at = timezone.now() if verified else None
    profile.verified_by = agent if verified else None
    profile.save(update_fields=["verified_at", "verified_by"])
    before, after = audit.changes(profile, old, ["verified_at"])
    audit.record(
        "resident.verified" if verified else "resident.unverified",
        actor=agent,
        target=profile.user,
        before=before,
        after=after,
    )
    return profile
