"""Our staff settle the queue with management commands: list it, verify a site, transfer it to the
verified claimant, dismiss a claim, keep official email domains. Every action is audited."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any, cast
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD, AdminFactory
from accounts.models import User
from accounts.services import create_member, create_ops_staff
from onboarding import staff
from onboarding.models import OfficialEmailDomain, SiteClaim
from tenants.models import AuditEntry, Collectivite
from tests.directory_sample import load_directory_sample
from tests.helpers import body
from tests.onboarding_support import ask_for_trial, open_site

pytestmark = pytest.mark.django_db

STAFF = "olga@placette.example"
IMPOSTOR = "claire.martin@gmail.com"
MAYOR = "maire@chavenay.fr"


@pytest.fixture(autouse=True)
def sample(db: None) -> None:
    load_directory_sample()


@pytest.fixture
def ops_staff(db: None) -> User:
    with schema_context("public"):
        return create_ops_staff(email=STAFF, display_name="Olga", password=TEST_PASSWORD)


@pytest.fixture
def claimed(django_capture_on_commit_callbacks: Any) -> tuple[Collectivite, SiteClaim]:
    """Chavenay opened by someone off its domain, then claimed by its mayor."""
    town = open_site(django_capture_on_commit_callbacks, email=IMPOSTOR)
    with django_capture_on_commit_callbacks(execute=True):
        Client(HTTP_HOST=settings.ROOT_DOMAIN).post(
            "/essai/commune/78152/revendiquer/",
            {
                "signer_name": "Paul Durand",
                "signer_role": "maire",
                "email": MAYOR,
                "phone": "01 30 54 11 11",
            },
        )
    mail.outbox.clear()
    return town, SiteClaim.objects.get()


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _accounts(town: Collectivite) -> list[tuple[str, str, bool]]:
    with schema_context(town.schema_name):
        return list(User.objects.order_by("email").values_list("email", "role", "is_active"))


# --- The queue ----------------------------------------------------------------------------


def test_claims_lists_unverified_sites_and_their_claims(claimed) -> None:
    town, claim = claimed
    out = run("claims", "--tenant", "chavenay")
    assert "Chavenay (commune 78152)" in out and "UNVERIFIED" in out
    assert (
        f"opened by: Claire Martin, Maire, ou présidence de l’intercommunalité, {IMPOSTOR}" in out
    )
    assert f"claim #{claim.pk}" in out and MAYOR in out
    assert "town-a" not in out


def test_claims_says_when_nothing_waits() -> None:
    assert run("claims", "--tenant", "chavenay") == "Nothing waits for verification.\n"


# --- Verifying ----------------------------------------------------------------------------


def test_verify_claim_verifies_the_site_with_an_audited_reason(claimed, ops_staff) -> None:
    town, _claim = claimed
    out = run(
        "verify_claim", "--tenant", "chavenay", "--by", STAFF, "--reason", "Appel à la mairie"
    )
    assert out == "Chavenay: verified (Vérifié par l’équipe Placette).\n"
    town.refresh_from_db()
    assert town.verified_via == Collectivite.Verification.STAFF and town.verified_at
    entry = AuditEntry.objects.get(collectivite=town, action="collectivite.verify")
    assert (entry.actor_schema, entry.actor_id) == ("public", ops_staff.pk)
    assert entry.reason == "Appel à la mairie"
    # Again: nothing changes, nothing more is written.
    again = run("verify_claim", "--tenant", "chavenay", "--by", STAFF, "--reason", "encore")
    assert "was already verified" in again
    assert AuditEntry.objects.filter(collectivite=town, action="collectivite.verify").count() == 1


def test_verify_claim_can_trust_the_signers_domain(
    django_capture_on_commit_callbacks, ops_staff
) -> None:
    town = open_site(django_capture_on_commit_callbacks, email="secretariat@chavenay-mairie.fr")
    run(
        "verify_claim", "--tenant", "chavenay", "--by", STAFF, "--reason", "Appel", "--trust-domain"
    )
    assert list(OfficialEmailDomain.objects.values_list("domain", flat=True)) == [
        "chavenay-mairie.fr"
    ]
    town.refresh_from_db()
    assert town.is_verified


def test_only_placette_staff_can_act(claimed, admin_a) -> None:
    town, claim = claimed
    for who in (admin_a.email, IMPOSTOR, "nobody@placette.example"):
        with pytest.raises(CommandError, match="No active Placette staff account"):
            run("verify_claim", "--tenant", "chavenay", "--by", who, "--reason", "x")
    with pytest.raises(CommandError):
        run("verify_claim", "--tenant", "chavenay", "--by", STAFF)  # no reason
    town.refresh_from_db()
    assert not town.is_verified


# --- Transferring -------------------------------------------------------------------------


def test_transfer_site_gives_it_to_the_claimant_and_demotes_the_previous_admin(
    claimed, ops_staff, django_capture_on_commit_callbacks
) -> None:
    town, claim = claimed
    with django_capture_on_commit_callbacks(execute=True):
        out = run(
            "transfer_site",
            "--tenant",
            "chavenay",
            "--claim",
            str(claim.pk),
            "--previous-admins",
            "demote",
            "--by",
            STAFF,
            "--reason",
            "La mairie confirme que M. Durand est le maire.",
        )
    assert f"{MAYOR} is its administrator; demoted: {IMPOSTOR}" in out
    assert _accounts(town) == [(IMPOSTOR, "resident", True), (MAYOR, "admin", True)]
    town.refresh_from_db()
    claim.refresh_from_db()
    assert town.verified_via == Collectivite.Verification.STAFF
    assert (claim.status, claim.resolved_by) == (SiteClaim.Status.TRANSFERRED, STAFF)

    transfer = AuditEntry.objects.get(collectivite=town, action="site.transfer")
    assert (transfer.actor_schema, transfer.actor_id) == ("public", ops_staff.pk)
    assert (transfer.before, transfer.after) == ({"admins": [IMPOSTOR]}, {"admins": [MAYOR]})
    assert transfer.reason == "La mairie confirme que M. Durand est le maire."
    demoted = AuditEntry.objects.get(collectivite=town, action="member.role_change")
    assert demoted.after == {"role": "resident", "is_active": True}

    by_recipient = {tuple(message.to): message for message in mail.outbox}
    to_mayor, to_previous = by_recipient[(MAYOR,)], by_recipient[(IMPOSTOR,)]
    assert to_mayor.subject == "Vous administrez maintenant le site de Chavenay"
    assert to_previous.subject == "L’administration du site de Chavenay a changé"
    assert "La mairie confirme que M. Durand est le maire." in str(to_previous.body)
    assert "compte d’habitant" in str(to_previous.body)

    # The new admin chooses a password with the link, then logs in with it.
    link = re.search(
        r"https?://chavenay\.localhost\S*/accounts/password/reset/key/\S+", str(to_mayor.body)
    )
    assert link
    browser = Client(HTTP_HOST="chavenay.localhost")
    form_page = browser.get(urlparse(link.group(0)).path, follow=True)
    assert form_page.status_code == 200 and 'name="password1"' in body(form_page)
    browser.post(
        form_page.redirect_chain[-1][0],
        {"password1": "un-nouveau-mot-de-passe", "password2": "un-nouveau-mot-de-passe"},
    )
    login = Client(HTTP_HOST="chavenay.localhost").post(
        "/accounts/login/", {"login": MAYOR, "password": "un-nouveau-mot-de-passe"}
    )
    assert login.status_code == 302


def test_transfer_site_can_close_the_previous_admins_accounts(
    claimed, ops_staff, django_capture_on_commit_callbacks
) -> None:
    town, claim = claimed
    signed_in = Client(HTTP_HOST="chavenay.localhost")
    with schema_context(town.schema_name):
        signed_in.force_login(cast(User, AdminFactory(email="complice@example.org")))
    with django_capture_on_commit_callbacks(execute=True):
        run(
            "transfer_site",
            *("--tenant", "chavenay", "--claim", str(claim.pk), "--previous-admins", "remove"),
            *("--by", STAFF, "--reason", "Site ouvert par une personne étrangère à la mairie"),
        )
    assert _accounts(town) == [
        (IMPOSTOR, "admin", False),
        ("complice@example.org", "admin", False),
        (MAYOR, "admin", True),
    ]
    assert not signed_in.get("/").wsgi_request.user.is_authenticated  # logged out at once
    with schema_context(town.schema_name):
        closed_ids = sorted(
            str(pk) for pk in User.objects.filter(is_active=False).values_list("pk", flat=True)
        )
    closed = AuditEntry.objects.filter(collectivite=town, action="member.deactivate")
    assert sorted(entry.target_id for entry in closed) == closed_ids
    assert len(closed_ids) == 2
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([MAYOR, IMPOSTOR, "complice@example.org"])
    assert "Votre compte sur ce site est fermé." in str(
        next(m for m in mail.outbox if IMPOSTOR in m.to).body
    )


def test_an_existing_resident_claimant_is_promoted_and_keeps_their_password(
    claimed, ops_staff, django_capture_on_commit_callbacks
) -> None:
    town, claim = claimed
    with schema_context(town.schema_name):
        create_member(email=MAYOR, display_name="Paul", password=TEST_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        run(
            "transfer_site",
            *("--tenant", "chavenay", "--claim", str(claim.pk), "--previous-admins", "demote"),
            *("--by", STAFF, "--reason", "Vérifié"),
        )
    assert (MAYOR, "admin", True) in _accounts(town)
    to_mayor = next(m for m in mail.outbox if m.to == [MAYOR])
    assert "mot de passe habituel" in str(to_mayor.body) and "reset" not in str(to_mayor.body)


def test_a_transfer_touches_no_other_town(claimed, ops_staff, town_a, admin_a) -> None:
    town, claim = claimed
    with schema_context(town_a.schema_name):
        AdminFactory(email=IMPOSTOR)  # the same address is an admin of town A too
    before = _accounts(town_a)
    with pytest.raises(CommandError, match="is on Chavenay, not on Villeneuve-les-Tests"):
        run(
            "transfer_site",
            *("--tenant", "town-a", "--claim", str(claim.pk), "--previous-admins", "remove"),
            *("--by", STAFF, "--reason", "x"),
        )
    run(
        "transfer_site",
        *("--tenant", "chavenay", "--claim", str(claim.pk), "--previous-admins", "remove"),
        *("--by", STAFF, "--reason", "Vérifié"),
    )
    assert _accounts(town_a) == before
    assert not AuditEntry.objects.filter(collectivite=town_a, action__startswith="site.").exists()


def test_a_claim_is_settled_once(claimed, ops_staff) -> None:
    town, claim = claimed
    args = ("--tenant", "chavenay", "--claim", str(claim.pk), "--previous-admins", "demote")
    run("transfer_site", *args, "--by", STAFF, "--reason", "Vérifié")
    with pytest.raises(CommandError, match="already transferred"):
        run("transfer_site", *args, "--by", STAFF, "--reason", "Encore")
    assert AuditEntry.objects.filter(collectivite=town, action="site.transfer").count() == 1


def test_a_claim_on_a_collectivite_with_no_site_cannot_be_transferred(
    django_capture_on_commit_callbacks, ops_staff
) -> None:
    ask_for_trial(django_capture_on_commit_callbacks, email=IMPOSTOR)
    ask_for_trial(django_capture_on_commit_callbacks, email=MAYOR)
    claim = SiteClaim.objects.get()
    with pytest.raises(staff.StaffError, match="has no site yet"):
        staff.transfer_site(claim, by=ops_staff, previous_admins="demote", reason="x")
    claim.refresh_from_db()
    assert claim.status == SiteClaim.Status.OPEN


# --- Dismissing and official domains --------------------------------------------------------


def test_dismiss_claim_closes_it_with_its_reason(claimed, ops_staff) -> None:
    town, claim = claimed
    out = run("dismiss_claim", "--claim", str(claim.pk), "--by", STAFF, "--reason", "Homonyme")
    assert out == f"Claim #{claim.pk} on Chavenay dismissed.\n"
    claim.refresh_from_db()
    assert (claim.status, claim.resolution_reason) == (SiteClaim.Status.DISMISSED, "Homonyme")
    entry = AuditEntry.objects.get(action="claim.dismiss")
    assert entry.collectivite == town and MAYOR not in entry.target_label
    assert _accounts(town) == [(IMPOSTOR, "admin", True)]
    with pytest.raises(CommandError, match="No claim #999999"):
        run("dismiss_claim", "--claim", "999999", "--by", STAFF, "--reason", "x")


def test_adding_the_signers_official_domain_verifies_the_site(
    django_capture_on_commit_callbacks, ops_staff
) -> None:
    town = open_site(django_capture_on_commit_callbacks, email="maire@chavenay.fr")
    out = run("official_domain", "--code", "78152", "--add", "Chavenay.FR", "--by", STAFF)
    assert out == "Chavenay (78): official email domains: chavenay.fr.\n"
    town.refresh_from_db()
    assert town.verified_via == Collectivite.Verification.OFFICIAL_EMAIL
    added = AuditEntry.objects.get(action="collectivite.official_domain_add")
    assert (added.collectivite, added.actor_id) == (town, ops_staff.pk)
    run("official_domain", "--code", "78152", "--remove", "chavenay.fr", "--by", STAFF)
    assert not OfficialEmailDomain.objects.exists()


@pytest.mark.parametrize(
    "domain", ["wanadoo.fr", "gmail.com", "mairie.orange.fr", "pas un domaine"]
)
def test_shared_or_bad_domains_are_refused(ops_staff, domain: str) -> None:
    with pytest.raises(CommandError):
        run("official_domain", "--code", "78152", "--add", domain, "--by", STAFF)
    assert not OfficialEmailDomain.objects.exists()
