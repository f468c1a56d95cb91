"""A collectivité starts a free trial: request, confirm by email, get its site in seconds.

Nothing is provisioned before the email is confirmed. Confirmation provisions everything in one
transaction (schema cloned from the template, domain, the signer's admin account, defaults,
trial): a failure leaves nothing behind, and a retry is safe.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts import tokens
from accounts.mail import send_templated
from accounts.models import User
from accounts.services import create_member
from billing.services import start_trial
from onboarding import directory
from onboarding.directory import Entry
from onboarding.models import SignupRequest
from tenants import audit
from tenants.addresses import root_url, town_url
from tenants.models import Collectivite
from tenants.services import RESERVED_SLUGS, ascii_slug, provision_collectivite

logger = logging.getLogger(__name__)

LINK_VALIDITY = timedelta(hours=48)
# What the tokens of the trial's links are for (accounts.tokens binds each to its schema).
TRIAL_PURPOSE = "onboarding.trial"
WELCOME_PURPOSE = "onboarding.welcome"
WELCOME_VALIDITY = timedelta(minutes=15)
SLUG_PATTERN = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
EPCI_PREFIXES = (
    "communaute-de-communes-",
    "communaute-d-agglomeration-",
    "communaute-urbaine-",
    "metropole-",
    "cc-",
    "ca-",
    "cu-",
)


class SignupError(Exception):
    """A problem the person can understand and act on (the message is for them)."""


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
    if not SLUG_PATTERN.fullmatch(slug):
        return _(
            "Use only lowercase letters without accents, digits and hyphens (63 at most), "
            "not starting or ending with a hyphen."
        )
    if slug[2:4] == "--":
        # "xn--" and every "??--" prefix are reserved for encoded international names
        # (RFC 5891): such an address would show as another name in the browser.
        return _("An address cannot have two hyphens after its first two characters.")
    if slug in RESERVED_SLUGS:
        return _("This address is reserved. Please choose another one.")
    if Collectivite.objects.filter(slug=slug).exists():
        return _("This address is already used by another collectivité.")
    return None


def request_trial(
    *,
    entry: Entry,
    slug: str,
    signer_name: str,
    signer_role: str,
    signer_role_other: str,
    email: str,
    phone: str,
) -> SignupRequest:
    """Record the request and email a one-time confirmation link (valid 48 hours)."""
    if on_placette(entry):
        raise SignupError(_("This collectivité is already on Placette."))
    problem = slug_problem(slug)
    if problem:
        raise SignupError(problem)
    token, hashed = tokens.new_token(purpose=TRIAL_PURPOSE)
    signup = SignupRequest.objects.create(
        kind=entry.kind,
        official_code=entry.code,
        name=entry.name,
        slug=slug,
        signer_name=signer_name,
        signer_role=signer_role,
        signer_role_other=signer_role_other,
        email=email.lower(),
        phone=phone,
        accepted_terms_at=timezone.now(),
        token_hash=hashed,
        expires_at=timezone.now() + LINK_VALIDITY,
    )
    context = {
        "signup": signup,
        "link": root_url(f"/essai/confirmer/{token}/"),
        "town_address": town_url(slug),
    }
    send_templated("onboarding/email/confirm", context, [signup.email])
    return signup


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
            if signup.confirmed_at is not None:
                raise SignupError(_("This link was already used: the site exists. Log in to it."))
            if signup.expires_at < timezone.now():
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
            signup.confirmed_at = timezone.now()
            signup.collectivite = town
            signup.save(update_fields=["confirmed_at", "collectivite"])
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
