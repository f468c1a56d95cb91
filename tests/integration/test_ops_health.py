"""The console's platform health page: each block with a real case, Redis down, query count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from celery import shared_task
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import StripeEvent
from ops.models import FailedTask, PeriodicJobRun, TenantFigures
from ops.tasks import refresh_figures_batch
from tenants.models import Collectivite

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.ops_task_support"]

HEALTH = "/ops/sante/"


@shared_task(name="tests.ops_health.always_fails", bind=True, max_retries=2)
def always_fails(self, what: str) -> None:
    raise self.retry(exc=ValueError(f"{what} is broken"), countdown=0)


def page(console: Client) -> str:
    response = console.get(HEALTH)
    assert response.status_code == 200
    return response.content.decode()


def block(html: str, name: str) -> str:
    """One section of the page, from its opening tag to its end."""
    start = html.index(f'data-health="{name}"')
    return html[start : html.index("</section>", start)]


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match is not None, pattern
    return match[1]


def count(section: str) -> int:
    return int(found(r'data-count="(\d+)"', section))


def row(section: str, attribute: str, value: object) -> str | None:
    """The text of the table row marked attribute="value", or None."""
    found = re.search(rf'<tr {attribute}="{value}"[^>]*>(.*?)</tr>', section, re.S)
    return re.sub(r"<[^>]+>", " ", found[1]) if found else None


def stuck_towns(count: int, minutes_ago: int = 30, start: int = 0) -> list[Collectivite]:
    """Rows left "being prepared" (no schema: bulk_create does not call save)."""
    towns = Collectivite.objects.bulk_create(
        Collectivite(
            name=f"Coincée {n}",
            kind=Collectivite.Kind.COMMUNE,
            official_code=str(98000 + n),
            slug=f"coincee-{n}",
            schema_name=f"coincee_{n}",
            status=Collectivite.Status.PROVISIONING,
        )
        for n in range(start, start + count)
    )
    Collectivite.objects.filter(pk__in=[t.pk for t in towns]).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return towns


def test_the_console_index_links_to_the_health_page(console: Client) -> None:
    response = console.get("/ops/")
    assert f'href="{HEALTH}"' in response.content.decode()


def test_a_town_behind_on_its_migrations_is_flagged(console: Client, town_a, town_b) -> None:
    with schema_context(town_b.schema_name), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'ideas' OR app = 'mutual_aid'")
    refresh_figures_batch.delay([town_a.pk, town_b.pk])
    migrations = block(page(console), "migrations")
    assert count(migrations) == 1
    assert row(migrations, "data-tenant", town_b.pk) is not None
    assert row(migrations, "data-tenant", town_a.pk) is None


def test_a_town_stuck_being_prepared_is_listed(console: Client) -> None:
    (stuck,) = stuck_towns(1)
    provisioning = block(page(console), "provisioning")
    assert count(provisioning) == 1
    assert row(provisioning, "data-tenant", stuck.pk) is not None


def test_a_town_being_prepared_right_now_is_not_stuck(console: Client) -> None:
    stuck_towns(1, minutes_ago=1)
    assert count(block(page(console), "provisioning")) == 0


def test_an_unprocessed_stripe_event_shows_with_its_attempts_and_error(console: Client) -> None:
    StripeEvent.objects.create(
        event_id="evt_stuck", type="invoice.paid", payload={}, attempts=3, error="KeyError: 'x'"
    )
    StripeEvent.objects.create(
        event_id="evt_done", type="invoice.paid", payload={}, processed_at=timezone.now()
    )
    stripe = block(page(console), "stripe")
    assert count(stripe) == 1
    stuck = row(stripe, "data-event", "evt_stuck")
    assert stuck is not None and "KeyError" in stuck and " 3 " in stuck
    assert row(stripe, "data-event", "evt_done") is None


@pytest.mark.usefixtures("as_on_a_worker")
def test_a_task_that_failed_after_its_retries_is_listed(console: Client, town_a) -> None:
    with schema_context(town_a.schema_name):
        result = always_fails.delay("the printer")
    assert result.state == "FAILURE"
    failure = FailedTask.objects.get(task_name=always_fails.name)
    assert (failure.retries, failure.schema_name) == (2, town_a.schema_name)
    listed = row(block(page(console), "failed-tasks"), "data-task", always_fails.name)
    assert listed is not None and "the printer is broken" in listed


def job_state(html: str, job: str) -> str:
    return found(rf'data-job="{job}" data-state="(\w+)"', html)


def test_every_periodic_job_is_listed_with_its_state(console: Client) -> None:
    now = timezone.now()
    PeriodicJobRun.objects.create(job="billing-daily", last_success_at=now - timedelta(days=3))
    PeriodicJobRun.objects.create(job="billing-stripe-events-sweep", last_success_at=now)
    PeriodicJobRun.objects.create(
        job="onboarding-purge",
        last_success_at=now - timedelta(hours=2),
        last_failure_at=now,
        last_error="boom",
    )
    html = page(console)
    assert html.count("data-job=") == len(settings.CELERY_BEAT_SCHEDULE)
    assert job_state(html, "billing-daily") == "late"  # daily, last run three days ago
    assert job_state(html, "billing-stripe-events-sweep") == "ok"
    assert job_state(html, "onboarding-purge") == "failing"
    assert job_state(html, "ops-tenant-usage") == "never"


@pytest.mark.usefixtures("as_on_a_worker")
def test_a_periodic_job_that_failed_is_recorded_as_failing(console: Client, monkeypatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("the database is gone")

    monkeypatch.setattr("ops.tasks.refresh_figures_batch.delay", broken)
    from ops.tasks import refresh_all_figures

    assert refresh_all_figures.delay().state == "FAILURE"
    assert job_state(page(console), "ops-tenant-figures") == "failing"


def queue_length(html: str, queue: str) -> str:
    return found(rf'data-queue="{queue}" data-length="(\w+)"', html)


def test_queue_lengths_are_read_from_the_broker(console: Client) -> None:
    assert queue_length(page(console), settings.CELERY_TASK_DEFAULT_QUEUE).isdigit()


def test_redis_down_shows_unknown_and_the_page_still_answers(
    console: Client, settings, tmp_path
) -> None:
    settings.CELERY_BROKER_URL = f"redis+socket://{tmp_path}/nothing-here.sock?virtual_host=0"
    assert queue_length(page(console), settings.CELERY_TASK_DEFAULT_QUEUE) == "unknown"


def fill(size: int, start: int) -> None:
    stuck = stuck_towns(size, start=start)
    TenantFigures.objects.bulk_create(
        TenantFigures(collectivite=town, migrations_behind=2) for town in stuck
    )
    StripeEvent.objects.bulk_create(
        StripeEvent(event_id=f"evt_{start}_{n}", type="invoice.paid", payload={}, attempts=n)
        for n in range(size)
    )
    FailedTask.objects.bulk_create(
        FailedTask(task_id=str(n), task_name="t", error="e", failed_at=timezone.now())
        for n in range(size)
    )
    jobs = list(settings.CELERY_BEAT_SCHEDULE)[start : start + size]
    PeriodicJobRun.objects.bulk_create(
        PeriodicJobRun(job=job, last_success_at=timezone.now()) for job in jobs
    )


def queries(console: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert console.get(HEALTH).status_code == 200
    return len(captured)


def test_the_page_reads_as_many_queries_with_many_rows_as_with_one(console: Client) -> None:
    fill(1, start=0)
    few = queries(console)
    fill(30, start=1)
    assert queries(console) == few
