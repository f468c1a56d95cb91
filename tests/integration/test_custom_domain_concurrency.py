"""Two towns claim the same domain at once: one gets it, the other a clear refusal (real commits).

A's claim holds its transaction open; B's insert then waits on the domain's unique index, and
must turn into the French refusal once A commits, not into a server error. Committed rows are
removed at the end.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.db import connection, connections, transaction
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import create_ops_staff
from tenants.domains import DomainError, add_custom_domain
from tenants.models import AuditEntry, Collectivite, Domain
from tests.conftest import TOWNS

HOST = "entraide.ville-disputee.fr"


@pytest.fixture
def committed_staff(django_db_setup: None, django_db_blocker: Any) -> Iterator[User]:
    with django_db_blocker.unblock(), schema_context("public"):
        staff = create_ops_staff(email="race@placette.test", display_name="Rita", password="x")
        try:
            yield staff
        finally:
            AuditEntry.objects.filter(action="collectivite.custom_domain_add").delete()
            Domain.objects.filter(domain=HOST).delete()
            # The public schema has none of the towns' tables a cascade would visit.
            EmailAddress.objects.filter(user_id=staff.pk).delete()
            User.objects.filter(pk=staff.pk)._raw_delete(connection.alias)


def _sessions_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def test_two_towns_claiming_one_domain_at_once(committed_staff, django_db_blocker) -> None:
    errors: list[BaseException] = []
    refusals: list[str] = []
    a_added, a_may_commit = threading.Event(), threading.Event()

    def claim_for_a() -> None:
        try:
            with transaction.atomic():
                town = Collectivite.objects.get(slug=TOWNS["a"]["slug"])
                add_custom_domain(committed_staff, town, HOST, reason="Demande du maire")
                a_added.set()
                assert a_may_commit.wait(timeout=20)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    def claim_for_b() -> None:
        try:
            town = Collectivite.objects.get(slug=TOWNS["b"]["slug"])
            add_custom_domain(committed_staff, town, HOST, reason="Demande du maire")
        except DomainError as refusal:
            refusals.append(str(refusal))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        first = threading.Thread(target=claim_for_a)
        first.start()
        assert a_added.wait(timeout=20), "A's claim never got its row"
        second = threading.Thread(target=claim_for_b)
        second.start()
        deadline = time.monotonic() + 20
        while second.is_alive() and _sessions_waiting_for_a_lock() == 0:
            assert time.monotonic() < deadline, "B's claim neither ended nor waited"
            time.sleep(0.05)
        a_may_commit.set()
        first.join(timeout=30)
        second.join(timeout=30)

        assert not errors, errors
        assert refusals == ["Cette adresse est déjà utilisée par un autre site."]
        owner = Domain.objects.get(domain=HOST).tenant.slug
        assert owner == TOWNS["a"]["slug"]
        assert AuditEntry.objects.filter(action="collectivite.custom_domain_add").count() == 1
