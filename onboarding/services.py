"""A collectivité starts a free trial: request, confirm by email, get its site in seconds.

Nothing is provisioned before the email is confirmed. Confirmation provisions everything in one
transaction (schema cloned from the template, domain, the signer's admin account, defaults,
trial, the texts accepted): a failure leaves nothing behind, and a retry is safe. While a
request waits, it holds its collectivité and its address (one pending request for each).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts import tokens
from accounts.mail import send_templated
from accounts.models import User
from accounts.services import create_member
from billing.services import start_trial
from onboarding import claims, directory, legal
from onboarding.claims import Signer
from onboarding.directory import Entry
from onboarding.errors import SignupError
from onboarding.models import LegalAcceptance, SignupRequest, SiteClaim
from tenants import audit, subdomains
from tenants.addresses import root_url, town_url
from tenants.models import Collectivite
from tenants.services import ascii_slug, provision_collectivite, set_verified

logger = logging.getLogger(__name__)

LINK_VALIDITY = timedelta(hours=48)
# What the tokens of the trial's links are for (accounts.tokens binds each to its schema).
TRIAL_PURPOSE = "onboarding.trial"
WELCOME_PURPOSE = "onboarding.welcome"
WELCOME_VALIDITY = timedelta(minutes=15)
EPCI_PREFIXES = (
    "communaute-de-communes-",
    "communaute-d-agglomeration-",
    "communaute-urbaine-",
    "metropole-",
    "cc-",
    "ca-",
    "cu-",
)
PENDING = SignupRequest.Status.PENDING


@dataclass(frozen=True)
class Requested:
    """What a submit of the trial form did: sent a link, sent the same link again, or recorded
    a claim on a collectivité someone else already asked for."""

    signup: SignupRequest | None = None
    resent: bool = False
    claim: SiteClaim | None = None


def on_placette(entry: Entry) -> Collectivite | None:
    return Collectivite.objects.filter(kind=entry.kind, official_code=entry.code).first()


def epci_on_placette(entry: Entry) -> Collectivite | None:
    if entry.is_intercommunalite or not entry.epci_siren:
        return None
    return Collectivite.objects.filter(
        kind=Collectivite.Kind.INTERCOMMUNALITE, official_code=entry.epci_siren
    ).first()


def proposed_slug(entry: Entry) -> str:
    """The subdomain we suggest: the name in ASCII, with the département for homonyms."""
    slug = ascii_slug(entry.name)
    if entry.is_intercommunalite:
        for prefix in EPCI_PREFIXES:
            slug = slug.removeprefix(prefix)
    elif directory.has_homonyms(entry):
        suffix = f"-{entry.departement.lower()}"
        slug = slug[: 63 - len(suffix)].rstrip("-") + suffix
    return slug


def slug_problem(slug: str) -> str | None:
    """Why this subdomain cannot be used, in French, or None."""
    problem = subdomains.shape_problem(slug)
    if problem:
        return problem
    if subdomains.is_taken(slug):
        return _("This address is already used by another collectivité.")
    return None


# --- The confirmation link ----------------------------------------------------------------


def _link_token(nonce: str) -> str:
    """The token in the link, derived from the request's nonce (the same link, sent again)."""
    return tokens.derived_token(nonce, purpose=TRIAL_PURPOSE)


def _send_link(signup: SignupRequest) -> None:
    context = {
        "signup": signup,
        "link": root_url(f"/essai/confirmer/{_link_token(signup.nonce)}/"),
        "town_address": town_url(signup.slug),
        "trial_days": settings.BILLING_TRIAL_DAYS,
    }
    send_templated("onboarding/email/confirm", context, [signup.email])


def _new_nonce() -> tuple[str, str]:
    nonce = secrets.token_urlsafe(32)
    return nonce, _stored_hash(nonce)


def _stored_hash(nonce: str) -> str:
    return tokens.token_hash(_link_token(nonce), purpose=TRIAL_PURPOSE)


# --- Asking for a trial -------------------------------------------------------------------


def request_trial(
    *, entry: Entry, slug: str, signer: Signer, terms_version: str, dpa_version: str
) -> Requested:
    """Record the request and email its confirmation link (valid 48 hours).

    The same person asking again gets the same link again. Someone else asking for a
    collectivité that has a request waiting, or an unverified site, is recorded as a claim for
    our staff. An address asked for by a request still waiting is taken for now.
    """
    signer = signer.cleaned()
    if not legal.are_current(terms=terms_version, dpa=dpa_version):
        raise SignupError(
            _(
                "The terms or the processing agreement changed while you were filling in the "
                "form. Please read the new version and tick the boxes again."
            )
        )
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _request_once(entry, slug, signer, terms_version, dpa_version)
        except IntegrityError:
            # Another submit took this collectivité or this address between our read and our
            # write: read again, and this time we see it.
            if attempt == 2:
                raise SignupError(_("Please try again in a minute.")) from None
    raise AssertionError("unreachable")


@transaction.atomic
def claim_site(entry: Entry, town: Collectivite, signer: Signer, *, message: str) -> SiteClaim:
    """Someone else speaks for a collectivité whose site is unverified: record it for our staff."""
    town = Collectivite.objects.select_for_update().get(pk=town.pk)
    if town.is_verified:
        raise SignupError(_("This collectivité is already on Placette."))
    return claims.record_claim(entry, signer.cleaned(), town=town, message=message)


def _request_once(
    entry: Entry, slug: str, signer: Signer, terms_version: str, dpa_version: str
) -> Requested:
    town = (
        Collectivite.objects.select_for_update()
        .filter(kind=entry.kind, official_code=entry.code)
        .first()
    )
    if town is not None:
        if town.is_verified:
            raise SignupError(_("This collectivité is already on Placette."))
        return Requested(claim=claims.record_claim(entry, signer, town=town))
    now = timezone.now()
    holders = list(
        SignupRequest.objects.select_for_update()
        .filter(status=PENDING)
        .filter(Q(kind=entry.kind, official_code=entry.code) | Q(slug=slug))
    )
    for held in holders:
        if held.expires_at <= now:  # an old request lets go of what it held
            held.status = SignupRequest.Status.EXPIRED
            held.save(update_fields=["status"])
    live = [held for held in holders if held.status == PENDING]
    mine = next((h for h in live if (h.kind, h.official_code) == (entry.kind, entry.code)), None)
    if mine is not None and mine.email != signer.email:
        return Requested(claim=claims.record_claim(entry, signer, pending=mine))
    if any(held.slug == slug and held is not mine for held in live):
        raise SignupError(
            _(
                "Another collectivité asked for this address a moment ago and has 48 hours to "
                "confirm it: it is taken for now. Please choose another one."
            ),
            field="slug",
        )
    problem = slug_problem(slug)
    if problem:
        raise SignupError(problem, field="slug")
    if mine is not None:
        return Requested(
            signup=_send_again(mine, slug, signer, terms_version, dpa_version), resent=True
        )
    nonce, hashed = _new_nonce()
    signup = SignupRequest.objects.create(
        kind=entry.kind,
        official_code=entry.code,
        name=entry.name,
        slug=slug,
        signer_name=signer.name,
        signer_role=signer.role,
        signer_role_other=signer.role_other,
        email=signer.email,
        phone=signer.phone,
        terms_version=terms_version,
        dpa_version=dpa_version,
        accepted_terms_at=now,
        nonce=nonce,
        token_hash=hashed,
        expires_at=now + LINK_VALIDITY,
    )
    _send_link(signup)
    return Requested(signup=signup)


def _send_again(
    signup: SignupRequest, slug: str, signer: Signer, terms_version: str, dpa_version: str
) -> SignupRequest:
    """The same person submits again: same link, with what they corrected, 48 hours from now."""
    now = timezone.now()
    changes = {
        "slug": slug,
        "signer_name": signer.name,
        "signer_role": signer.role,
        "signer_role_other": signer.role_other,
        "phone": signer.phone,
        "terms_version": terms_version,
        "dpa_version": dpa_version,
        "accepted_terms_at": now,
        "expires_at": now + LINK_VALIDITY,
    }
    if signup.nonce:
        # Under a new SECRET_KEY the same nonce gives another link: store the hash of that one.
        changes["token_hash"] = _stored_hash(signup.nonce)
    else:  # a request older than derived links: it gets one now
        changes["nonce"], changes["token_hash"] = _new_nonce()
    changed = [name for name, value in changes.items() if getattr(signup, name) != value]
    for name in changed:
        setattr(signup, name, changes[name])
    signup.save(update_fields=changed)
    _send_link(signup)
    return signup


# --- Confirming ---------------------------------------------------------------------------


def _by_token(token: str) -> QuerySet[SignupRequest]:
    hashes = tokens.token_hashes(token, purpose=TRIAL_PURPOSE)
    return SignupRequest.objects.filter(token_hash__in=hashes)


def find_request(token: str) -> SignupRequest | None:
    return _by_token(token).first()


def confirm_trial(token: str) -> tuple[Collectivite, str]:
    """Provision the town for this confirmation link; returns it and the signer's way in."""
    try:
        with transaction.atomic():
            signup = _by_token(token).select_for_update().first()
            if signup is None:
                raise SignupError(_("This link is unknown. Check that you copied all of it."))
            if signup.status == SignupRequest.Status.CONFIRMED:
                raise SignupError(_("This link was already used: the site exists. Log in to it."))
            if signup.status != PENDING or signup.expires_at < timezone.now():
                raise SignupError(
                    _("This link has expired (it was valid 48 hours). Please sign up again.")
                )
            entry = directory.find(signup.kind, signup.official_code)
            if entry is None:
                raise SignupError(_("This collectivité is not in the official directory."))
            if on_placette(entry):
                raise SignupError(_("This collectivité is already on Placette."))
            problem = slug_problem(signup.slug)
            if problem:
                raise SignupError(problem)
            town, admin = _provision(signup, entry)
    except IntegrityError:
        # Another confirmation for this collectivité or address won the race.
        raise SignupError(_("This collectivité is already on Placette.")) from None
    except SignupError:
        raise
    except Exception:
        logger.exception("Provisioning failed; the transaction left nothing behind")
        raise SignupError(
            _("Something went wrong and nothing was created. Please try again in a minute.")
        ) from None
    welcome = tokens.sign({"user": admin.pk}, purpose=WELCOME_PURPOSE, schema=town.schema_name)
    return town, town_url(town.slug, f"/bienvenue/{welcome}/")


def _provision(signup: SignupRequest, entry: Entry) -> tuple[Collectivite, User]:
    town = provision_collectivite(
        name=entry.name,
        kind=entry.kind,
        official_code=entry.code,
        siren=entry.siren,
        population=entry.population,
        slug=signup.slug,
    )
    with schema_context(town.schema_name):
        admin = create_member(
            email=signup.email, display_name=signup.signer_name, role=User.Role.ADMIN
        )
        # The signer, now the town's first admin, is who asked for the site.
        audit.record(
            "collectivite.created",
            actor=admin,
            target=town,
            collectivite=town,
            after={"name": town.name, "slug": town.slug},
        )
    start_trial(town)
    signup.status = SignupRequest.Status.CONFIRMED
    signup.confirmed_at = timezone.now()
    signup.collectivite = town
    signup.save(update_fields=["status", "confirmed_at", "collectivite"])
    for document, version in (
        (legal.TERMS, signup.terms_version),
        (legal.PROCESSING_AGREEMENT, signup.dpa_version),
    ):
        LegalAcceptance.objects.create(
            collectivite=town,
            document=document.key,
            version=version,
            accepted_at=signup.accepted_terms_at,
            accepted_by_name=signup.signer_name,
            accepted_by_email=signup.email,
            signup_request=signup,
        )
    claims.attach_waiting_claims(town, signup)
    if claims.on_official_domain(town.kind, town.official_code, signup.email):
        set_verified(town, Collectivite.Verification.OFFICIAL_EMAIL)
        audit.record(
            "collectivite.verify",
            target=town,
            collectivite=town,
            after={"verified_via": town.verified_via},
            reason=f"{signup.email} is on an official domain of the collectivité",
        )
    else:
        claims.tell_staff_of_unverified_site(town, signup)
    return town, admin


def contact_existing_town(*, town: Collectivite, name: str, email: str, message: str) -> None:
    """Someone tried to sign up a collectivité already on Placette: tell its admins and ops."""
    with schema_context(town.schema_name):
        admins = list(
            User.objects.filter(role=User.Role.ADMIN, is_active=True).values_list(
                "email", flat=True
            )
        )
    context = {"town": town, "name": name, "email": email, "message": message}
    if admins:
        send_templated("onboarding/email/contact", context, admins, reply_to=[email])
    send_templated(
        "onboarding/email/contact",
        context,
        [settings.OPS_EMAIL],
        reply_to=[email],
        subject_prefix="[ops] ",
    )
