"""The periodic task that copies each town's figures and usage per month into the public schema."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import cast

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.factories import PostFactory
from ops import figures
from ops.models import FailedTask, PeriodicJobRun, TenantFigures, TenantUsageMonth
from ops.refresh import month_start
from ops.tasks import refresh_all_figures, refresh_figures_batch
from participation.consultations.factories import ResponseFactory
from participation.ideas.factories import IdeaFactory
from tenants import schema
from tenants.models import Collectivite

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.ops_task_support"]


def person(**fields: object) -> User:
    """A resident of the active town, with fields that create_member does not take."""
    user = cast(User, UserFactory())
    User.objects.filter(pk=user.pk).update(**fields)
    return user


@pytest.fixture
def a_data(town_a: Collectivite) -> dict[str, object]:
    """Town A: one resident who logged in, one who posted, one who answered, and an idea
    written 40 days ago by someone who did nothing since (not active)."""
    now = timezone.now()
    with schema_context(town_a.schema_name):
        logged_in = person(last_login=now - timedelta(days=5))
        poster = UserFactory()
        PostFactory(author=poster, created_at=now - timedelta(minutes=1))
        ResponseFactory(respondent=UserFactory())
        old = now - timedelta(days=40)
        IdeaFactory(author=person(date_joined=old), created_at=old)
        people = User.objects.count()
    return {"logged_in": logged_in, "people": people, "latest": now - timedelta(minutes=1)}


@pytest.fixture
def b_data(town_b: Collectivite) -> None:
    """Town B is busier: none of it may ever count for A."""
    with schema_context(town_b.schema_name):
        for _ in range(3):
            PostFactory(author=person(last_login=timezone.now()))
        IdeaFactory()


def refresh(*towns: Collectivite, months: int = 1) -> None:
    refresh_figures_batch.delay([town.pk for town in towns], months)


def this_month(town: Collectivite) -> dict[str, int]:
    month = month_start(timezone.localdate())
    return TenantUsageMonth.objects.get(collectivite=town, month=month).counts


def test_active_residents_count_each_kind_of_activity_once(town_a, a_data, b_data) -> None:
    refresh(town_a)
    # The login, the post and the consultation answer; not the idea of 40 days ago.
    assert TenantFigures.objects.get(collectivite=town_a).active_residents_30d == 3


def test_last_activity_is_the_latest_thing_done(town_a, a_data) -> None:
    refresh(town_a)
    row = TenantFigures.objects.get(collectivite=town_a)
    # The answer, submitted after the post and the login.
    assert row.last_activity_at is not None and row.last_activity_at > a_data["latest"]
    assert row.refreshed_at is not None


def test_usage_counts_this_months_posts_answers_and_ideas(town_a, a_data) -> None:
    refresh(town_a)
    counts = this_month(town_a)
    assert (counts["posts"], counts["answers"], counts["ideas"]) == (1, 1, 0)
    assert counts["residents"] == a_data["people"]


def test_town_bs_data_never_counts_for_a(town_a, town_b, a_data, b_data) -> None:
    refresh(town_a, town_b)
    assert this_month(town_a)["posts"] == 1
    assert this_month(town_b)["posts"] == 3
    # The three who posted and the idea's author.
    assert TenantFigures.objects.get(collectivite=town_b).active_residents_30d == 4


def test_a_town_up_to_date_has_no_migration_behind(town_a) -> None:
    refresh(town_a)
    assert TenantFigures.objects.get(collectivite=town_a).migrations_behind == 0


def test_a_migration_missing_from_a_schema_is_counted(town_a, town_b) -> None:
    with schema_context(town_b.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'mutual_aid' AND name LIKE '0001%'"
        )
    refresh(town_a, town_b)
    assert TenantFigures.objects.get(collectivite=town_b).migrations_behind == 1
    assert TenantFigures.objects.get(collectivite=town_a).migrations_behind == 0


def test_running_it_again_changes_nothing_but_the_figures(town_a, a_data) -> None:
    refresh(town_a, months=2)
    refresh(town_a, months=2)
    assert TenantFigures.objects.filter(collectivite=town_a).count() == 1
    assert TenantUsageMonth.objects.filter(collectivite=town_a).count() == 2
    assert this_month(town_a)["posts"] == 1


@pytest.fixture
def a_fails_once(town_a: Collectivite) -> Iterator[list[str]]:
    """A counter that fails the first time it is read in town A's schema."""
    calls: list[str] = []

    def flaky(start: object, end: object) -> int:
        calls.append(schema.current_schema())
        if calls[-1] == town_a.schema_name and calls.count(town_a.schema_name) == 1:
            raise RuntimeError("town A's schema did not answer")
        return 7

    figures.register_counter("flaky", "Flaky", flaky)
    yield calls
    figures._counters.pop("flaky")


@pytest.mark.usefixtures("as_on_a_worker")
def test_a_failing_town_does_not_stop_the_others(town_a, town_b, a_fails_once) -> None:
    refresh(town_a, town_b)
    assert this_month(town_b)["flaky"] == 7


@pytest.mark.usefixtures("as_on_a_worker")
def test_a_failing_town_is_retried_alone(town_a, town_b, a_fails_once) -> None:
    refresh(town_a, town_b)
    assert this_month(town_a)["flaky"] == 7
    # A read twice (the failure, then the retry), B once: the retry redid only A.
    assert a_fails_once.count(town_a.schema_name) == 2
    assert a_fails_once.count(town_b.schema_name) == 1


@pytest.mark.usefixtures("as_on_a_worker")
def test_a_town_failing_every_time_fails_the_task_once_its_retries_are_spent(town_a) -> None:
    figures.register_counter("broken", "Broken", lambda start, end: 1 // 0)
    try:
        result = refresh_figures_batch.delay([town_a.pk], 1)
    finally:
        figures._counters.pop("broken")
    assert result.state == "FAILURE"
    failure = FailedTask.objects.get(task_name="ops.tasks.refresh_figures_batch")
    assert failure.retries == refresh_figures_batch.max_retries
    assert not TenantFigures.objects.filter(collectivite=town_a).exists()


def test_the_periodic_job_refreshes_every_serving_town_only(town_a, town_b) -> None:
    stopped = Collectivite.objects.bulk_create(
        [
            Collectivite(
                name="Fermée",
                kind="commune",
                official_code="99777",
                slug="fermee",
                schema_name="fermee",
                status=Collectivite.Status.DEACTIVATED,
            )
        ]
    )[0]
    refresh_all_figures.delay()
    refreshed = set(TenantFigures.objects.values_list("collectivite_id", flat=True))
    assert {town_a.pk, town_b.pk} <= refreshed
    assert stopped.pk not in refreshed


def test_the_periodic_job_records_its_success(town_a) -> None:
    refresh_all_figures.delay()
    run = PeriodicJobRun.objects.get(job="ops-tenant-figures")
    assert run.last_success_at is not None and run.last_failure_at is None
