"""What our staff do with the claims queue: verify a site, transfer it, dismiss a claim, and
keep the collectivités' official email domains. Each action is audited, with its reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.mail import send_templated
from accounts.models import User
from accounts.services import create_member
from onboarding.claims import email_domain, on_official_domain
from onboarding.models import OfficialEmailDomain, SignupRequest, SiteClaim
from tenants import audit
from tenants.addresses import town_url
from tenants.models import Collectivite
from tenants.services import set_verified

# Addresses anyone can get: never proof of speaking for a collectivité (many small town halls
# write from one of them; their sites are verified by our staff instead).
SHARED_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "neuf.fr",
        "laposte.net",
        "hotmail.com",
        "hotmail.fr",
        "outlook.com",
        "outlook.fr",
        "live.fr",
        "live.com",
        "msn.com",
        "yahoo.fr",
        "yahoo.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "gmx.fr",
        "gmx.com",
        "bbox.fr",
        "numericable.fr",
        "protonmail.com",
        "proton.me",
    }
)
DOMAIN = re.compile(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
PREVIOUS_ADMIN_FATES = ("demote", "remove")


class StaffError(Exception):
    """Why the action was not done (for our staff, in English)."""


def staff_member(email: str) -> User:
    """The Placette staff account (public schema) acting, by its email."""
    with schema_context("public"):
        user = User.objects.filter(email=email.strip().lower(), is_staff=True, is_active=True)
        found = user.first()
    if found is None:
        raise StaffError(f"No active Placette staff account with the email {email!r}.")
    return found


def _locked_town(town: Collectivite) -> Collectivite:
    return Collectivite.objects.select_for_update().get(pk=town.pk)


# --- Verifying ----------------------------------------------------------------------------


@transaction.atomic
def verify_site(town: Collectivite, *, by: User, reason: str, trust_domain: bool = False) -> bool:
    """The site is run by the collectivité (staff checked, e.g. by calling the town hall).

    With `trust_domain`, the signer's email domain becomes official for the collectivité.
    False if it was verified already (nothing written)."""
    if not reason.strip():
        raise StaffError("Say how the site was checked (--reason).")
    town = _locked_town(town)
    if trust_domain:
        signup = SignupRequest.objects.filter(collectivite=town).first()
        if signup is None:
            raise StaffError(f"{town} has no sign-up request: no signer's domain to trust.")
        add_official_domain(town.kind, town.official_code, email_domain(signup.email), by=by)
        town.refresh_from_db()
    if not set_verified(town, Collectivite.Verification.STAFF):
        return False
    audit.record(
        "collectivite.verify",
        actor=by,
        target=town,
        collectivite=town,
        before={"verified_at": None},
        after={"verified_at": town.verified_at, "verified_via": town.verified_via},
        reason=reason,
    )
    return True


@transaction.atomic
def add_official_domain(kind: str, official_code: str, domain: str, *, by: User) -> bool:
    """Make `domain` official for the collectivité; its site is verified at once if its signer
    writes from it. False if the domain was known already."""
    domain = domain.strip().lower().removeprefix("@").rstrip(".")
    if not DOMAIN.fullmatch(domain):
        raise StaffError(f"{domain!r} is not a domain name.")
    if domain in SHARED_MAIL_DOMAINS or any(domain.endswith("." + d) for d in SHARED_MAIL_DOMAINS):
        raise StaffError(f"{domain} is shared by the public: verify the site with verify_claim.")
    town = Collectivite.objects.filter(kind=kind, official_code=official_code).first()
    row, created = OfficialEmailDomain.objects.get_or_create(
        kind=kind, official_code=official_code, domain=domain, defaults={"added_by": by.email}
    )
    if not created:
        return False
    audit.record(
        "collectivite.official_domain_add",
        actor=by,
        target=row,
        collectivite=town,
        after={"domain": domain, "official_code": official_code},
    )
    if town is not None:
        signup = SignupRequest.objects.filter(collectivite=town).first()
        town = _locked_town(town)
        signer = signup.email if signup else ""
        if (
            signer
            and on_official_domain(kind, official_code, signer)
            and set_verified(town, Collectivite.Verification.OFFICIAL_EMAIL)
        ):
            audit.record(
                "collectivite.verify",
                actor=by,
                target=town,
                collectivite=town,
                after={"verified_at": town.verified_at, "verified_via": town.verified_via},
                reason=f"{signer} is on the official domain {domain}",
            )
    return True


@transaction.atomic
def remove_official_domain(kind: str, official_code: str, domain: str, *, by: User) -> bool:
    rows = OfficialEmailDomain.objects.select_for_update().filter(
        kind=kind, official_code=official_code, domain=domain.strip().lower()
    )
    row = rows.first()
    if row is None:
        return False
    audit.record(
        "collectivite.official_domain_remove",
        actor=by,
        target=row,
        collectivite=Collectivite.objects.filter(kind=kind, official_code=official_code).first(),
        before={"domain": row.domain, "official_code": official_code},
    )
    row.delete()
    return True


# --- Resolving a claim --------------------------------------------------------------------


def _locked_open_claim(claim: SiteClaim) -> SiteClaim:
    claim = SiteClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != SiteClaim.Status.OPEN:
        raise StaffError(f"Claim #{claim.pk} is already {claim.status}.")
    return claim


def _resolve(claim: SiteClaim, status: str, *, by: User, reason: str) -> None:
    claim.status = status
    claim.resolved_at = timezone.now()
    claim.resolved_by = by.email
    claim.resolution_reason = reason
    claim.save(update_fields=["status", "resolved_at", "resolved_by", "resolution_reason"])


@transaction.atomic
def dismiss_claim(claim: SiteClaim, *, by: User, reason: str) -> SiteClaim:
    if not reason.strip():
        raise StaffError("Say why the claim is dismissed (--reason).")
    claim = _locked_open_claim(claim)
    _resolve(claim, SiteClaim.Status.DISMISSED, by=by, reason=reason)
    audit.record(
        "claim.dismiss",
        actor=by,
        target=claim,
        target_label=f"#{claim.pk}",
        collectivite=claim.collectivite,
        before={"status": SiteClaim.Status.OPEN},
        after={"status": claim.status},
        reason=reason,
    )
    return claim


@dataclass(frozen=True)
class Transfer:
    town: Collectivite
    new_admin: User
    previous_admins: list[User]


@transaction.atomic
def transfer_site(claim: SiteClaim, *, by: User, previous_admins: str, reason: str) -> Transfer:
    """Give the site to the claimant our staff verified: they become its administrator, its
    administrators until now are made residents (`demote`) or their accounts closed (`remove`),
    the site is verified, and everyone concerned is told by email."""
    if previous_admins not in PREVIOUS_ADMIN_FATES:
        raise StaffError("Say what becomes of the administrators until now: demote or remove.")
    if not reason.strip():
        raise StaffError("Say why the site is transferred (--reason).")
    claim = _locked_open_claim(claim)
    town = (
        Collectivite.objects.select_for_update()
        .filter(kind=claim.kind, official_code=claim.official_code)
        .first()
    )
    if town is None:
        raise StaffError(f"{claim.name} has no site yet: there is nothing to transfer.")
    with schema_context(town.schema_name):
        new_admin = _make_admin(claim)
        before_admins = list(
            User.objects.select_for_update()
            .filter(role=User.Role.ADMIN, is_active=True)
            .exclude(pk=new_admin.pk)
            .order_by("pk")
        )
        for admin in before_admins:
            if previous_admins == "demote":
                admin.role = User.Role.RESIDENT
                admin.save(update_fields=["role"])
            else:
                admin.is_active = False
                admin.save(update_fields=["is_active"])
        set_password_url = _set_password_url(town, new_admin)
    _resolve(claim, SiteClaim.Status.TRANSFERRED, by=by, reason=reason)
    set_verified(town, Collectivite.Verification.STAFF)
    audit.record(
        "site.transfer",
        actor=by,
        target=town,
        collectivite=town,
        before={"admins": [admin.email for admin in before_admins]},
        after={"admins": [new_admin.email]},
        reason=reason,
    )
    for admin in before_admins:
        audit.record(
            "member.role_change" if previous_admins == "demote" else "member.deactivate",
            actor=by,
            target=admin,
            collectivite=town,
            before={"role": User.Role.ADMIN, "is_active": True},
            after={"role": admin.role, "is_active": admin.is_active},
            reason=reason,
        )
    context = {
        "town": town,
        "site": town_url(town.slug),
        "reason": reason,
        "previous_admins": previous_admins,
        "new_admin": new_admin,
        "ops_email": settings.OPS_EMAIL,
        "set_password_url": set_password_url,
        "login_url": town_url(town.slug, reverse("account_login", urlconf=settings.ROOT_URLCONF)),
    }
    send_templated("onboarding/email/transfer_new_admin", context, [new_admin.email])
    previous = [admin.email for admin in before_admins]
    if previous:
        send_templated("onboarding/email/transfer_previous_admin", context, previous)
    return Transfer(town=town, new_admin=new_admin, previous_admins=before_admins)


def _make_admin(claim: SiteClaim) -> User:
    """The claimant's account in the town (made if needed), now an active administrator."""
    user = User.objects.select_for_update().filter(email=claim.email).first()
    if user is None:
        return create_member(
            email=claim.email, display_name=claim.claimant_name, role=User.Role.ADMIN
        )
    user.role, user.is_active = User.Role.ADMIN, True
    user.save(update_fields=["role", "is_active"])
    # Our staff checked this person and this address: it is theirs.
    EmailAddress.objects.filter(user=user, email__iexact=claim.email).update(verified=True)
    return user


def _set_password_url(town: Collectivite, user: User) -> str:
    """A link to choose a password (allauth's reset link, made in the town's schema)."""
    if user.has_usable_password():
        return ""
    key = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
        urlconf=settings.ROOT_URLCONF,
    )
    return town_url(town.slug, path)
