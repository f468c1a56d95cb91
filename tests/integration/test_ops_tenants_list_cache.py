"""The tenants list's body is rendered once for our staff and follows every change at once;
who may not see the list never gets it from the cache; without Redis it is rendered each time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_ops_staff
from billing.models import BillingAccount
from ops import refresh
from ops.models import TenantFigures
from tenants.models import Collectivite
from tests.helpers import body
from tests.integration.test_redis_down import redis_server  # noqa: F401  (fixture)
from tests.ops_support import TENANTS_LIST, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cached(settings: Any) -> None:
    settings.OPS_TENANTS_LIST_CACHE_SECONDS = 30


def _reads_tenants(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "tenants_collectivite" in q["sql"]]


def test_a_second_staff_member_gets_the_page_without_reading_the_tenants(
    console: Client, client_for: Callable[..., Client], town_a: Collectivite
) -> None:
    assert town_a.name in body(console.get(TENANTS_LIST, {"q": town_a.name}))
    other = with_totp(
        create_ops_staff(email="autre@placette.example", display_name="Paul", password="x" * 12)
    )
    with CaptureQueriesContext(connection) as queries:
        # The same parameters in another order are the same page.
        page = body(client_for(None, other).get(f"{TENANTS_LIST}?q={town_a.name}"))
    assert town_a.name in page
    assert not _reads_tenants(queries)


def test_each_change_shows_on_the_next_page(
    console: Client, town_a: Collectivite, django_capture_on_commit_callbacks: Any
) -> None:
    query = {"q": town_a.name}
    assert "Essai gratuit" in body(console.get(TENANTS_LIST, query))
    account = BillingAccount.objects.get(collectivite=town_a)
    with django_capture_on_commit_callbacks(execute=True):
        account.status = BillingAccount.Status.SPONSORED
        account.save(update_fields=["status"])
    assert "Offert par Placette" in body(console.get(TENANTS_LIST, query))
    with django_capture_on_commit_callbacks(execute=True):
        town_a.status = Collectivite.Status.SUSPENDED
        town_a.save(update_fields=["status"])
    with translation.override("fr"):
        suspended = str(Collectivite.Status.SUSPENDED.label)
    assert f'<td class="field-status">{suspended}</td>' in body(console.get(TENANTS_LIST, query))
    # The periodic task writes the figures in one bulk upsert, which sends no signal.
    figures = TenantFigures(
        collectivite=town_a, active_residents_30d=777, refreshed_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        refresh._write([refresh.TownRefresh(figures, [])])
    assert '<td class="field-active_residents">777</td>' in body(console.get(TENANTS_LIST, query))


def test_who_may_not_see_the_list_never_gets_the_cached_page(
    console: Client, client_for: Callable[..., Client], town_a: Collectivite
) -> None:
    assert town_a.name in body(console.get(TENANTS_LIST))
    visitor = client_for(None).get(TENANTS_LIST)
    assert visitor.status_code == 302 and town_a.name not in body(visitor)
    no_totp = create_ops_staff(email="sans@placette.example", display_name="Lou", password="x" * 12)
    refused = client_for(None, no_totp).get(TENANTS_LIST)
    assert refused.status_code == 302 and town_a.name not in body(refused)
    person = User.objects.create_user(email="habitant@example.org", password=TEST_PASSWORD)
    other = client_for(None, person).get(TENANTS_LIST)
    assert other.status_code in (302, 403) and town_a.name not in body(other)


def test_without_redis_the_list_is_rendered_each_time(
    redis_server,  # noqa: F811
    console: Client,
    town_a: Collectivite,
) -> None:
    assert town_a.name in body(console.get(TENANTS_LIST, {"q": town_a.name}))
    redis_server.stop()
    Collectivite.objects.filter(pk=town_a.pk).update(name="Chavenay-le-Neuf")
    page = body(console.get(TENANTS_LIST, {"q": "Chavenay"}))
    assert "Chavenay-le-Neuf" in page
