"""Closing a collectivité from the console: deactivate with a deletion date (the site answers
410), take it back, and wipe only after the date, by another staff member: each action reasoned,
confirmed and written once in the audit log; nothing is deleted at once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_ops_staff
from tenants.models import AuditEntry, Collectivite
from tenants.services import provision_collectivite
from tests.ops_support import with_totp

pytestmark = pytest.mark.django_db


def url(town: Collectivite, part: str) -> str:
    return f"/ops/collectivites/{town.pk}/{part}/"


def confirm(client: Client, town: Collectivite, part: str, **data: Any) -> Any:
    return client.post(url(town, part), {"reason": "Fin du contrat", **data, "confirmed": "1"})


def entries(town: Collectivite, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(collectivite=town, action=action))


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def date_passes(town: Collectivite) -> None:
    """The deletion date comes (the sessions would not outlive a month of travelled time)."""
    Collectivite.objects.filter(pk=town.pk).update(deletion_scheduled_for=in_days(-1))


def reload(town: Collectivite) -> Collectivite:
    return Collectivite.objects.get(pk=town.pk)


@pytest.fixture
def colleague(client_for) -> Client:
    """A second staff member with TOTP, signed in on the root domain."""
    with schema_context("public"):
        staff = create_ops_staff(
            email="collegue@placette.example", display_name="Paul", password=TEST_PASSWORD
        )
    return client_for(None, with_totp(staff))


@pytest.fixture
def doomed(db: None) -> Collectivite:
    """A town of this test's own, with its schema: the only kind a test may wipe."""
    return provision_collectivite(
        name="Effacé-sur-Test", kind=Collectivite.Kind.COMMUNE, official_code="99077", slug="efface"
    )


def test_deactivating_closes_the_site_and_plans_the_deletion(
    console: Client, client_for, town_a
) -> None:
    response = confirm(console, town_a, "desactiver", deletion_date=in_days(30).isoformat())
    assert response.status_code == 302
    town = reload(town_a)
    assert town.status == Collectivite.Status.DEACTIVATED
    assert town.deletion_scheduled_for == in_days(30)
    assert client_for(town_a).get("/").status_code == 410
    (entry,) = entries(town_a, "tenant.deactivate")
    assert entry.reason == "Fin du contrat"
    assert entry.after["status"] == "deactivated"
    assert schema_exists(town_a.schema_name)  # nothing is deleted at once


def test_a_deletion_date_less_than_30_days_away_is_refused(console: Client, town_a) -> None:
    response = confirm(console, town_a, "desactiver", deletion_date=in_days(29).isoformat())
    assert response.status_code == 400
    assert reload(town_a).status == Collectivite.Status.READY
    assert entries(town_a, "tenant.deactivate") == []


def test_without_confirmation_nothing_is_deactivated(console: Client, town_a) -> None:
    response = console.post(
        url(town_a, "desactiver"),
        {"reason": "Fin du contrat", "deletion_date": in_days(40).isoformat()},
    )
    assert response.status_code == 200  # the confirmation page
    assert reload(town_a).status == Collectivite.Status.READY


def test_an_empty_reason_is_refused(console: Client, town_a) -> None:
    response = confirm(console, town_a, "desactiver", reason=" ", deletion_date="2099-01-01")
    assert response.status_code == 400
    assert 'value="2099-01-01"' in response.content.decode()  # what was typed is kept
    assert reload(town_a).status == Collectivite.Status.READY


def test_the_deactivation_can_be_taken_back(console: Client, client_for, town_a) -> None:
    confirm(console, town_a, "desactiver", deletion_date=in_days(30).isoformat())
    assert confirm(console, town_a, "reouvrir").status_code == 302
    town = reload(town_a)
    assert town.status == Collectivite.Status.READY
    assert town.deletion_scheduled_for is None
    assert client_for(town_a).get("/").status_code == 200
    assert len(entries(town_a, "tenant.reactivate_before_wipe")) == 1


def test_the_wipe_is_refused_before_the_deletion_date(
    console: Client, colleague: Client, doomed
) -> None:
    confirm(console, doomed, "desactiver", deletion_date=in_days(30).isoformat())
    response = confirm(colleague, doomed, "effacer", typed_name=doomed.name)
    assert response.status_code == 400
    assert reload(doomed).wiped_at is None
    assert entries(doomed, "tenant.wipe") == []


def test_the_wipe_is_refused_to_who_deactivated(console: Client, doomed) -> None:
    confirm(console, doomed, "desactiver", deletion_date=in_days(30).isoformat())
    date_passes(doomed)
    response = confirm(console, doomed, "effacer", typed_name=doomed.name)
    assert response.status_code == 400
    assert reload(doomed).wiped_at is None


def test_the_wipe_asks_the_name_typed(console: Client, colleague: Client, doomed) -> None:
    confirm(console, doomed, "desactiver", deletion_date=in_days(30).isoformat())
    date_passes(doomed)
    response = confirm(colleague, doomed, "effacer", typed_name="Autre nom")
    assert response.status_code == 400
    assert reload(doomed).wiped_at is None


def test_after_the_date_another_staff_member_wipes_the_data_and_the_log_stays(
    console: Client, colleague: Client, doomed, town_b
) -> None:
    with schema_context(doomed.schema_name):
        User.objects.create(email="habitant@efface.example", display_name="Habitant")
    confirm(console, doomed, "desactiver", deletion_date=in_days(30).isoformat())
    date_passes(doomed)
    response = confirm(colleague, doomed, "effacer", typed_name=doomed.name)
    assert response.status_code == 302
    town = reload(doomed)
    assert town.wiped_at is not None
    with schema_context(doomed.schema_name):
        from django.db import connection

        assert connection.introspection.table_names() == []  # every table dropped
    assert len(entries(doomed, "tenant.wipe")) == 1
    assert len(entries(doomed, "tenant.deactivate")) == 1  # the log is kept
    assert schema_exists(town_b.schema_name)  # town B untouched
    assert console.get(f"/ops/collectivites/{doomed.pk}/").status_code == 200  # its page opens
