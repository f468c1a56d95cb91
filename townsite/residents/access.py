"""Reading residents, authorised in the same step: no view can forget a check."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from townsite.models import ResidentProfile
from townsite.residents import codes


def _require_agent(agent: User) -> None:
    # Town agents at the desk: moderators and admins.
    if not (agent.is_authenticated and agent.is_moderator):
        raise PermissionDenied


def residents_for(agent: User, *, name: str = "") -> QuerySet[User]:
    """The town's residents an agent may list, newest first, with what the list shows."""
    _require_agent(agent)
    residents = User.objects.filter(role=User.Role.RESIDENT).select_related(
        "resident_profile__neighbourhood", "resident_profile__assisted_by"
    )
    if name:
        residents = residents.filter(display_name__icontains=name)
    return residents.order_by("-date_joined", "-pk")


def get_desk_resident_for(agent: User, user_id: int) -> ResidentProfile:
    """A resident registered at the desk, for an agent; 404 for anyone else's id."""
    _require_agent(agent)
    return get_object_or_404(
        ResidentProfile.objects.select_related("user", "neighbourhood", "assisted_by"),
        user_id=user_id,
        user__role=User.Role.RESIDENT,
        assisted_at__isnull=False,
    )


def profile_for_code(code: str) -> ResidentProfile | None:
    """The profile whose code this is (expired or not), if any."""
    if not codes.is_well_formed(code):
        return None
    profiles = ResidentProfile.objects.select_related("user").filter(user__is_active=True)
    profile = profiles.filter(login_code_hash__in=codes.code_hashes(code)).first()
    if profile is None:
        # Only wrong codes get here, and only while codes of the old form are pending.
        legacy = ResidentProfile.objects.filter(
            login_code_expires_at__gt=timezone.now(), login_code_hash__contains=codes.LEGACY_MARK
        ).values_list("login_code_hash", flat=True)
        if legacy:
            hashes = codes.legacy_hashes(code, legacy)
            profile = profiles.filter(login_code_hash__in=hashes).first()
    return profile


def pending_code(profile_id: int, code_hash: str) -> QuerySet[ResidentProfile]:
    """The profile (or nothing) whose code, checked at the first step of a first login, is still
    its code, unexpired, with the account active. The one rule for the password page and for
    the service that saves the password (which adds a lock)."""
    return (
        ResidentProfile.objects.select_related("user")
        .filter(
            pk=profile_id,
            login_code_hash=code_hash,
            login_code_expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .exclude(login_code_hash="")
    )


def pending_code_login(profile_id: int, code_hash: str) -> ResidentProfile | None:
    """The profile of a code checked earlier in this session, if that code still holds."""
    return pending_code(profile_id, code_hash).first()


def is_last_admin(user: User) -> bool:
    """Whether deleting this account would leave the town without an admin."""
    return (
        user.is_town_admin
        and not User.objects.filter(role=User.Role.ADMIN, is_active=True)
        .exclude(pk=user.pk)
        .exists()
    )
