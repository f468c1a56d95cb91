"""Two towns renamed to one subdomain at once: one wins, the other gets a French refusal (real
commits). A's rename holds its transaction open; B's then waits on the unique index and must
end in the refusal once A commits. Everything is put back at the end."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.db import connection, connections, transaction
from django.utils import translation
from django.utils.translation import gettext
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import create_ops_staff
from tenants import directory
from tenants.domains import DomainError
from tenants.models import AuditEntry, Collectivite, Domain
from tenants.subdomains import rename_subdomain
from tests.conftest import TOWNS

NEW = "nom-dispute"


@pytest.fixture
def committed_staff(django_db_setup: None, django_db_blocker: Any) -> Iterator[User]:
    with django_db_blocker.unblock(), schema_context("public"):
        staff = create_ops_staff(email="race2@placette.test", display_name="Rita", password="x")
        try:
            yield staff
        finally:
            AuditEntry.objects.filter(action="collectivite.subdomain_rename").delete()
            for key in ("a", "b"):
                slug = TOWNS[key]["slug"]
                town = Collectivite.objects.get(schema_name=f"t_{slug.replace('-', '_')}")
                if town.slug != slug:
                    Collectivite.objects.filter(pk=town.pk).update(slug=slug)
                Domain.objects.filter(domain=f"{slug}.localhost").update(is_primary=True)
            Domain.objects.filter(domain=f"{NEW}.localhost").delete()
            EmailAddress.objects.filter(user_id=staff.pk).delete()
            User.objects.filter(pk=staff.pk)._raw_delete(connection.alias)
            directory.bump_generation()


def _sessions_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def test_two_renames_to_one_name_at_once(committed_staff, django_db_blocker) -> None:
    errors: list[BaseException] = []
    refusals: list[str] = []
    a_renamed, a_may_commit = threading.Event(), threading.Event()

    def rename_a() -> None:
        try:
            with transaction.atomic():
                town = Collectivite.objects.get(slug=TOWNS["a"]["slug"])
                rename_subdomain(town, NEW, actor=committed_staff, reason="Fusion")
                a_renamed.set()
                assert a_may_commit.wait(timeout=20)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    def rename_b() -> None:
        try:
            with translation.override("fr"):
                town = Collectivite.objects.get(slug=TOWNS["b"]["slug"])
                rename_subdomain(town, NEW, actor=committed_staff, reason="Fusion")
        except DomainError as refusal:
            refusals.append(str(refusal))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        first = threading.Thread(target=rename_a)
        first.start()
        assert a_renamed.wait(timeout=20), "A's rename never got its row"
        second = threading.Thread(target=rename_b)
        second.start()
        deadline = time.monotonic() + 20
        while second.is_alive() and _sessions_waiting_for_a_lock() == 0:
            assert time.monotonic() < deadline, "B's rename neither ended nor waited"
            time.sleep(0.05)
        a_may_commit.set()
        first.join(timeout=30)
        second.join(timeout=30)

        assert not errors, errors
        with translation.override("fr"):
            assert refusals == [gettext("This address is already used by another collectivité.")]
        assert Domain.objects.get(domain=f"{NEW}.localhost").tenant.schema_name == "t_town_a"
        assert AuditEntry.objects.filter(action="collectivite.subdomain_rename").count() == 1
