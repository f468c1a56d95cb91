"""What notifications put on the real Celery queue (Redis): a bounded number of batch tasks.

Decidim's digests queued one job per subscriber (decidim#16129): a town of 50,000 flooded its
queue. Here messages really go to the test broker and are counted there; then a real worker
runs the digests of committed residents, twice, and each gets one digest.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from celery.signals import after_task_publish
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from config.celery import app
from notifications import delivery, digests, services
from notifications.kinds import Frequency
from notifications.models import DigestDelivery, Notification
from notifications.tasks import send_digests
from tenants.models import Collectivite
from tenants.tasks import for_each_ready_tenant
from tests.conftest import TOWNS
from tests.isolation.test_celery_tasks import ROOT, _test_database_url

pytestmark = [pytest.mark.celery_worker, pytest.mark.usefixtures("notification_kinds")]
RESIDENTS = 450


@pytest.fixture
def broker() -> Iterator[Counter[str]]:
    """Tasks go to the real Redis broker, not run in-process; counted by name as published."""
    published: Counter[str] = Counter()

    def count(sender: str | None = None, **kwargs: Any) -> None:
        published[sender or ""] += 1

    app.control.purge()
    after_task_publish.connect(count, weak=False)
    app.conf.task_always_eager = False
    try:
        yield published
    finally:
        app.conf.task_always_eager = True
        after_task_publish.disconnect(count)
        app.control.purge()


def _residents(count: int, prefix: str) -> list[User]:
    return User.objects.bulk_create(
        User(email=f"{prefix}{n}@queue.example", display_name=f"Voisin {n}") for n in range(count)
    )


@pytest.mark.django_db
def test_an_event_for_450_residents_queues_5_tasks(
    town_a, broker, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        people = _residents(RESIDENTS, "event")
        with django_capture_on_commit_callbacks(execute=True):
            services.notify_many(people, "tests.message", title="Réunion ce soir")
    expected = math.ceil(RESIDENTS / delivery.IMMEDIATE_BATCH)
    assert broker == {"notifications.tasks.send_notification_emails": expected}
    assert app.control.purge() == expected  # what is in Redis, not only what we counted


@pytest.mark.django_db
def test_a_day_of_posts_for_450_residents_queues_3_digest_tasks(
    town_a, broker, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        people = _residents(RESIDENTS, "digest")
        with django_capture_on_commit_callbacks(execute=True):
            for number in range(4):  # four new posts, each told to everybody
                services.notify_many(people, "tests.new_post", title=f"Annonce {number}")
        assert broker == {}  # daily: nothing by email yet
        with django_capture_on_commit_callbacks(execute=True):
            run = digests.run_digests(Frequency.DAILY, now=timezone.now() + timedelta(seconds=1))
    expected = math.ceil(RESIDENTS / digests.DIGEST_BATCH)
    assert (run.residents, run.tasks) == (RESIDENTS, expected)
    assert broker == {"notifications.tasks.deliver_digests": expected}
    assert app.control.purge() == expected


@pytest.mark.django_db
def test_the_beat_queues_one_digest_task_per_ready_town(broker) -> None:
    ready = Collectivite.objects.filter(status=Collectivite.Status.READY).count()
    for_each_ready_tenant("notifications.tasks.send_digests", "daily")
    assert broker == {"notifications.tasks.send_digests": ready}
    assert app.control.purge() == ready


# --- A real worker, on committed rows --------------------------------------------------------

WORKER_RESIDENTS = 7


@pytest.fixture
def committed_day(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """Residents of town A with a day of new posts, committed (the worker sees them)."""
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            people = _residents(WORKER_RESIDENTS, "worker")
            yesterday = timezone.now() - timedelta(hours=2)
            Notification.objects.bulk_create(
                Notification(
                    recipient=person,
                    kind="tests.new_post",
                    title=f"Annonce {number}",
                    email_frequency=Frequency.DAILY,
                )
                for person in people
                for number in range(3)
            )
            Notification.objects.filter(recipient__in=people).update(created_at=yesterday)
    yield schema
    with django_db_blocker.unblock(), schema_context(schema):
        User.objects.filter(email__endswith="@queue.example").delete()


@pytest.fixture
def worker(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "DATABASE_URL": _test_database_url(),
        }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--include=tests.notification_worker_kinds",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    app.control.purge()
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        process.wait(timeout=20)


def test_a_real_worker_sends_each_digest_once_even_run_twice(
    committed_day: str, worker: None, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock(), schema_context(committed_day):
        first, second = send_digests.delay("daily"), send_digests.delay("daily")
        # Waited on from the test, not from a task (an earlier test may leave Celery's
        # "inside a task" flag set in this process).
        results = [
            result.get(timeout=60, disable_sync_subtasks=False) for result in (first, second)
        ]
        deliveries = DigestDelivery.objects.filter(user__email__endswith="@queue.example")
        deadline = time.monotonic() + 60
        while deliveries.filter(sent_at__isnull=True).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sorted(r["residents"] for r in results) == [0, WORKER_RESIDENTS]
        assert deliveries.count() == WORKER_RESIDENTS
        assert not deliveries.filter(sent_at__isnull=True).exists()
        assert not Notification.objects.filter(
            recipient__email__endswith="@queue.example", emailed_at__isnull=True
        ).exists()


def test_two_runs_at_once_give_each_resident_one_digest(
    committed_day: str, django_db_blocker: Any, monkeypatch: Any
) -> None:
    """Two copies of the digest task at the same moment, on two connections: the unique
    claim makes one wait for the other, which then finds everybody claimed."""
    import threading

    from django.core import mail
    from django.db import connections

    monkeypatch.setattr(digests, "DIGEST_BATCH", 3)  # several batches, interleaved
    barrier = threading.Barrier(2)
    results: list[digests.DigestRun] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with schema_context(committed_day):
                barrier.wait(timeout=10)
                results.append(digests.run_digests(Frequency.DAILY))
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert sum(run.residents for run in results) == WORKER_RESIDENTS
    mine = [m for m in mail.outbox if m.to[0].endswith("@queue.example")]
    assert sorted(m.to[0] for m in mine) == sorted(
        f"worker{n}@queue.example" for n in range(WORKER_RESIDENTS)
    )
