"""Support access: a town admin lets our staff see the town's site for a while, and takes it back.

The only writer of `SupportGrant` and `SupportUse`; each grant, revocation and page seen writes
its audit entry in the town's log, which the town's admins read. The staff member reaches the
town's site with a signed token bound to the town's schema and to the grant (`entry_token`);
the town's site then holds a read-only support session (`ops.support_session`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from allauth.mfa.models import Authenticator
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import schema_context

from accounts import tokens
from accounts.models import User
from ops.models import SupportGrant, SupportUse
from tenants import audit
from tenants.models import Collectivite

# What a town admin may choose: long enough to look into a problem, never open-ended.
DURATIONS = {
    1: gettext_lazy("1 hour"),
    24: gettext_lazy("24 hours"),
    72: gettext_lazy("72 hours"),
}
ENTRY_PURPOSE = "ops.support-entry"
TOKEN_MAX_AGE = 60  # seconds: the token only carries the staff member from the console


class SupportRefused(Exception):
    """What the town admin or the staff member is told, in French; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _label(user: Any) -> str:
    name = getattr(user, "display_name", "") or ""
    email = getattr(user, "email", "") or ""
    return (f"{name} <{email}>" if name and email else name or email or str(user))[:200]


def live_grant(collectivite: Collectivite | int) -> SupportGrant | None:
    town_id = collectivite if isinstance(collectivite, int) else collectivite.pk
    return SupportGrant.objects.filter(collectivite_id=town_id).live().first()


@transaction.atomic
def grant_access(
    collectivite: Collectivite, *, hours: int, granted_by: User, reason: str = ""
) -> SupportGrant:
    """Open the town's site to our staff for `hours`; one live grant at a time."""
    if hours not in DURATIONS:
        raise SupportRefused(_("Choose how long our team may see your site."))
    # Lock the town's row: two admins granting at once make one grant, not two.
    Collectivite.objects.select_for_update().get(pk=collectivite.pk)
    current = live_grant(collectivite)
    if current is not None:
        raise SupportRefused(
            _("Our team already has access until %(end)s. End it first to grant a new one.")
            % {"end": timezone.localtime(current.ends_at).strftime("%d/%m/%Y %H:%M")}
        )
    now = timezone.now()
    grant = SupportGrant.objects.create(
        collectivite=collectivite,
        granted_by_id=granted_by.pk,
        granted_by_label=_label(granted_by),
        reason=" ".join(reason.split())[:500],
        starts_at=now,
        ends_at=now + timedelta(hours=hours),
    )
    audit.record(
        "support.grant",
        actor=granted_by,
        target=grant,
        target_label=str(collectivite),
        after={"ends_at": grant.ends_at, "hours": hours},
        reason=grant.reason,
        collectivite=collectivite,
    )
    return grant


@transaction.atomic
def revoke_access(collectivite: Collectivite, grant_id: int, *, revoked_by: User) -> SupportGrant:
    """End a live grant now. A grant of another town is not found."""
    grant = (
        SupportGrant.objects.select_for_update()
        .filter(pk=grant_id, collectivite=collectivite)
        .first()
    )
    if grant is None:
        raise SupportRefused(_("This access does not exist."))
    if not grant.is_live():
        raise SupportRefused(_("This access has already ended."))
    grant.revoked_at = timezone.now()
    grant.revoked_by_label = _label(revoked_by)
    grant.save(update_fields=["revoked_at", "revoked_by_label"])
    audit.record(
        "support.revoke",
        actor=revoked_by,
        target=grant,
        target_label=str(collectivite),
        before={"ends_at": grant.ends_at},
        after={"revoked_at": grant.revoked_at},
        collectivite=collectivite,
    )
    return grant


@dataclass(frozen=True)
class SupportVisit:
    """Who is looking at the town's site under which grant (kept in the support session)."""

    grant_id: int
    staff_id: int
    staff_label: str


def has_totp(staff_id: int) -> bool:
    with schema_context("public"):
        return Authenticator.objects.filter(
            user_id=staff_id, type=Authenticator.Type.TOTP, user__is_active=True
        ).exists()


def entry_token(collectivite: Collectivite, staff: User) -> str:
    """A token that opens a support session on this town's site only, under its live grant."""
    grant = live_grant(collectivite)
    if grant is None:
        raise SupportRefused(_("This collectivité has not granted support access."))
    value = {"grant": grant.pk, "staff": staff.pk, "label": _label(staff)}
    return tokens.sign(value, purpose=ENTRY_PURPOSE, schema=collectivite.schema_name)


def visit_from_token(token: str, collectivite: Collectivite) -> SupportVisit:
    """The visit a token opens on the current town's site; SupportRefused otherwise (a token
    of another town, expired, a grant ended or revoked, a staff member without TOTP)."""
    try:
        value = tokens.unsign(token, purpose=ENTRY_PURPOSE, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise SupportRefused(_("This support link is not valid here, or has expired.")) from None
    visit = SupportVisit(int(value["grant"]), int(value["staff"]), str(value["label"]))
    if not grant_is_live(visit.grant_id, collectivite):
        raise SupportRefused(_("The collectivité's support access has ended."))
    with schema_context("public"):
        staff_ok = User.objects.filter(pk=visit.staff_id, is_active=True, is_staff=True).exists()
    if not staff_ok or not has_totp(visit.staff_id):
        raise SupportRefused(_("Only our staff with two-step sign-in may use support access."))
    return visit


def grant_is_live(grant_id: int, collectivite: Collectivite) -> bool:
    """Asked on every page of a support session, never cached: a revocation counts at once."""
    return SupportGrant.objects.filter(pk=grant_id, collectivite=collectivite).live().exists()


@transaction.atomic
def record_use(visit: SupportVisit, collectivite: Collectivite, path: str) -> SupportUse:
    use = SupportUse.objects.create(
        grant_id=visit.grant_id,
        staff_id=visit.staff_id,
        staff_label=visit.staff_label,
        path=path[:500],
    )
    # The staff member's account is in the public schema: read (and named) from there, so
    # the town's log says "…, Placette team" and not a resident's id.
    with schema_context("public"):
        staff = User.objects.filter(pk=visit.staff_id).first()
        audit.record(
            "support.use",
            actor=staff,
            target=use,
            target_label=visit.staff_label,
            after={"path": use.path},
            collectivite=collectivite,
        )
    return use
