"""The tenant page's usage section: the last 12 months of the town's own usage."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ops.models import TenantUsageMonth
from ops.refresh import recent_months

pytestmark = pytest.mark.django_db


def tenant_page(console: Client, town) -> str:
    response = console.get(f"/ops/collectivites/{town.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def usage_row(html: str, month: datetime.date) -> list[str]:
    found = re.search(rf'<tr data-month="{month:%Y-%m}">(.*?)</tr>', html, re.S)
    assert found is not None
    return re.findall(r"<td>(.*?)</td>", found[1])


def keep(town, month: datetime.date, **counts: int) -> None:
    TenantUsageMonth.objects.create(
        collectivite=town, month=month, counts=counts, refreshed_at=timezone.now()
    )


def columns(html: str) -> list[str]:
    return re.findall(r'data-counter="(\w+)"', html)


def test_the_section_shows_twelve_months_with_each_counter(console: Client, town_a) -> None:
    this_month = recent_months(timezone.now(), 1)[0]
    keep(town_a, this_month, posts=4, ideas=2)
    html = tenant_page(console, town_a)
    assert len(re.findall(r"<tr data-month=", html)) == 12
    cells = dict(zip(columns(html), usage_row(html, this_month), strict=True))
    assert (cells["posts"], cells["ideas"]) == ("4", "2")


def test_a_month_not_computed_shows_dashes(console: Client, town_a) -> None:
    months = recent_months(timezone.now(), 2)
    keep(town_a, months[0], posts=1)
    assert set(usage_row(tenant_page(console, town_a), months[1])) == {"—"}


def test_town_bs_usage_is_not_on_town_as_page(console: Client, town_a, town_b) -> None:
    this_month = recent_months(timezone.now(), 1)[0]
    keep(town_a, this_month, posts=1)
    keep(town_b, this_month, posts=99)
    html = tenant_page(console, town_a)
    cells = dict(zip(columns(html), usage_row(html, this_month), strict=True))
    assert cells["posts"] == "1"


def test_the_section_reads_one_query_whatever_the_months(console: Client, town_a) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            tenant_page(console, town_a)
        return len(captured)

    months = recent_months(timezone.now(), 12)
    keep(town_a, months[0], posts=1)
    one = queries()
    for month in months[1:]:
        keep(town_a, month, posts=1)
    assert queries() == one
