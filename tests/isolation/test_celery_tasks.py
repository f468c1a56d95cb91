"""A task sent from town A runs in A's schema, on a real worker, and never sees town B."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from config.celery import app
from tenants import schema
from tenants.models import Collectivite
from tenants.services import set_status
from tenants.tasks import for_each_ready_tenant
from tests.conftest import committed_resident_email
from tests.isolation.celery_probe import who_am_i

pytestmark = [pytest.mark.django_db, pytest.mark.celery_worker]

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = db["HOST"] or db["OPTIONS"].get("host", "")
    if str(host).startswith("/"):
        return f"postgresql://{auth}@/{db['NAME']}?host={host}"
    return f"postgresql://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def real_worker(django_db_setup: None, django_db_blocker) -> Iterator[None]:
    """A real `celery worker` process on the test database and the real Redis broker."""
    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "DATABASE_URL": _test_database_url(),
        }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--include=tests.isolation.celery_probe",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True
        worker.terminate()
        worker.wait(timeout=20)


def test_a_task_sent_from_town_a_runs_in_town_a(real_worker, town_a, town_b) -> None:
    with schema_context(town_a.schema_name):
        result_a = who_am_i.delay()
    with schema_context(town_b.schema_name):
        result_b = who_am_i.delay()
    # This process is no worker, whatever Celery's process-wide "inside a task" flag says after
    # earlier tests (as in the other real-worker tests).
    seen_a = result_a.get(timeout=20, disable_sync_subtasks=False)
    seen_b = result_b.get(timeout=20, disable_sync_subtasks=False)

    assert seen_a["schema"] == town_a.schema_name
    assert committed_resident_email(town_a) in seen_a["emails"]
    assert committed_resident_email(town_b) not in seen_a["emails"]
    assert seen_b["schema"] == town_b.schema_name
    assert committed_resident_email(town_a) not in seen_b["emails"]


def test_a_task_sent_from_the_public_schema_sees_no_town(real_worker) -> None:
    seen = who_am_i.delay().get(timeout=20, disable_sync_subtasks=False)
    assert seen["schema"] == "public"
    assert not any(email.startswith("resident@") for email in seen["emails"])


def test_the_fan_out_reaches_every_ready_town_once_and_no_other(
    town_a, town_b, monkeypatch
) -> None:
    set_status(town_b, Collectivite.Status.SUSPENDED)
    ready = Collectivite.objects.filter(status=Collectivite.Status.READY).order_by("pk")
    sent: list[str] = []
    monkeypatch.setattr(who_am_i, "delay", lambda: sent.append(schema.current_schema()))
    count = for_each_ready_tenant(who_am_i.name)
    assert sent == [town.schema_name for town in ready]
    assert count == len(sent)
    assert town_a.schema_name in sent and town_b.schema_name not in sent
