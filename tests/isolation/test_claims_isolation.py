"""Claims and their settling stay with their town: another town's log, legal pages and
administration see nothing of them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_ops_staff
from onboarding.models import SiteClaim
from tenants.models import AuditEntry
from tests.directory_sample import load_directory_sample
from tests.helpers import body, probe
from tests.onboarding_support import open_site
from townsite.setup.audit_labels import ACTIONS

pytestmark = pytest.mark.django_db

STAFF_ACTIONS = (
    "collectivite.verify",
    "collectivite.official_domain_add",
    "collectivite.official_domain_remove",
    "site.transfer",
    "claim.dismiss",
    "member.deactivate",
)


@pytest.fixture
def transferred(django_capture_on_commit_callbacks):
    """Chavenay opened off its domain, claimed by its mayor, transferred by our staff."""
    load_directory_sample()
    with schema_context("public"):
        create_ops_staff(email="olga@placette.example", display_name="Olga", password=TEST_PASSWORD)
    town = open_site(django_capture_on_commit_callbacks, email="claire.martin@gmail.com")
    with django_capture_on_commit_callbacks(execute=True):
        Client(HTTP_HOST=settings.ROOT_DOMAIN).post(
            "/essai/commune/78152/revendiquer/",
            {
                "signer_name": "Paul",
                "signer_role": "maire",
                "email": "maire@chavenay.fr",
                "phone": "0130541111",
            },
        )
    claim = SiteClaim.objects.get()
    call_command(
        "transfer_site",
        *("--tenant", "chavenay", "--claim", str(claim.pk), "--previous-admins", "demote"),
        *("--by", "olga@placette.example", "--reason", "Appel à la mairie"),
        stdout=StringIO(),
    )
    return town


def test_every_staff_action_has_a_label_for_the_towns_log() -> None:
    assert [action for action in STAFF_ACTIONS if action not in ACTIONS] == []


def test_the_transfer_shows_in_its_towns_log_only(transferred, client_for, town_b, admin_b):
    with schema_context(transferred.schema_name):
        mayor = User.objects.get(email="maire@chavenay.fr")
        mayor.set_password(TEST_PASSWORD)
        mayor.save()
    own = Client(HTTP_HOST="chavenay.localhost")
    with schema_context(transferred.schema_name):
        own.force_login(mayor)
    log = body(own.get("/administration/journal/"))
    assert "Site confié à son représentant vérifié" in log
    assert "Olga &lt;olga@placette.example&gt;, équipe Placette" in log
    other = body(client_for(town_b, admin_b).get("/administration/journal/"))
    assert "Site confié" not in other and "chavenay" not in other.lower()
    assert not AuditEntry.objects.filter(collectivite=town_b, action__in=STAFF_ACTIONS).exists()


def test_the_demoted_admin_is_nobody_in_the_administration(transferred) -> None:
    with schema_context(transferred.schema_name):
        demoted = User.objects.get(email="claire.martin@gmail.com")
        demoted.set_password(TEST_PASSWORD)
        demoted.save()
    client = Client(HTTP_HOST="chavenay.localhost")
    with schema_context(transferred.schema_name):
        client.force_login(demoted)
    for path in ("/administration/", "/administration/equipe/", "/administration/journal/"):
        probe(client, path, leaked=["maire@chavenay.fr"])


def test_a_towns_legal_pages_and_password_step_are_its_own(client_for, town_a, town_b, admin_a):
    for path in ("/confidentialite/", "/mentions-legales/"):
        page = body(client_for(town_b).get(path))
        assert "Bourg-sur-Essai" in page and town_a.name not in page
    # Town A's admin, on town B's site, is nobody: sent to log in.
    stray = client_for(town_a, admin_a)
    stray.defaults["HTTP_HOST"] = town_b.primary_host
    probe(stray, "/bienvenue/mot-de-passe/")
