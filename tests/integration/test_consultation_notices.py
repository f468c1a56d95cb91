"""Residents are told of a consultation when it opens: at publication if it is open already,
else by the sweep that beat runs in every town; once each, a failed run retried, and on a real
worker too."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from config.celery import app
from notifications.models import Notification
from participation.consultations import notices, services
from participation.consultations.models import Consultation
from participation.consultations.tasks import send_opening_notices
from tenants.models import Collectivite
from tenants.tasks import for_each_ready_tenant
from tests.conftest import TOWNS
from tests.consultation_support import every_kind, upcoming_fields
from tests.isolation.test_celery_tasks import ROOT, _test_database_url

KIND = "participation.new_consultation"
SWEEP = "participation.consultations.tasks.send_opening_notices"


def _told(consultation: Consultation) -> list[int]:
    return sorted(
        Notification.objects.filter(
            kind=KIND, url=f"/consultations/{consultation.key}/"
        ).values_list("recipient_id", flat=True)
    )


def _audience(admin: User) -> list[int]:
    return sorted(
        User.objects.filter(is_active=True).exclude(pk=admin.pk).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_publishing_ahead_of_the_opening_tells_nobody_yet(
    town_a, admin_a, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        UserFactory.create_batch(2)
        consultation, _q = every_kind(published_at=None, created_by=admin_a, **upcoming_fields())
        with django_capture_on_commit_callbacks(execute=True):
            services.publish_consultation(admin_a, consultation)
        assert _told(consultation) == []
        assert notices.send_due_opening_notices() == 0  # not open yet
        consultation.refresh_from_db()
        assert consultation.opening_notice_sent_at is None


@pytest.mark.django_db
def test_the_sweep_tells_the_audience_once_when_it_opens(
    town_a, admin_a, django_capture_on_commit_callbacks, time_machine
) -> None:
    with schema_context(town_a.schema_name):
        UserFactory.create_batch(3)
        consultation, _q = every_kind(published_at=None, created_by=admin_a, **upcoming_fields())
        with django_capture_on_commit_callbacks(execute=True):
            services.publish_consultation(admin_a, consultation)
        time_machine.move_to(consultation.opens_at + datetime.timedelta(minutes=3))
        expected = _audience(admin_a)
        assert send_opening_notices.delay().get() == len(expected)
        assert _told(consultation) == expected
        consultation.refresh_from_db()
        assert consultation.opening_notice_sent_at is not None
        assert send_opening_notices.delay().get() == 0  # run again: nobody twice
        assert notices.send_opening_notice(consultation.pk) == 0
        assert _told(consultation) == expected


@pytest.mark.django_db
def test_publishing_an_open_consultation_tells_at_once(
    town_a, admin_a, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        UserFactory.create_batch(2)
        consultation, _q = every_kind(published_at=None, created_by=admin_a)
        with django_capture_on_commit_callbacks(execute=True):
            services.publish_consultation(admin_a, consultation)
        assert _told(consultation) == _audience(admin_a)
        consultation.refresh_from_db()
        assert consultation.opening_notice_sent_at is not None
        assert notices.send_due_opening_notices() == 0


@pytest.mark.django_db
def test_drafts_and_closed_consultations_are_not_told(town_a, time_machine) -> None:
    with schema_context(town_a.schema_name):
        UserFactory.create()
        draft, _q = every_kind(published_at=None)
        closed, _q = every_kind(**upcoming_fields())
        time_machine.move_to(closed.closes_at + datetime.timedelta(hours=1))
        assert notices.send_due_opening_notices() == 0
        assert _told(draft) == [] and _told(closed) == []


@pytest.mark.django_db
def test_a_run_that_fails_half_way_is_retried_and_tells_each_once(
    town_a, monkeypatch, time_machine
) -> None:
    with schema_context(town_a.schema_name):
        UserFactory.create_batch(5)
        consultation, _q = every_kind(**upcoming_fields())
        time_machine.move_to(consultation.opens_at + datetime.timedelta(minutes=1))
        real_notify_many = notices.notify_many
        calls = {"n": 0}

        def fails_on_the_second_batch(*args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 2:
                raise DatabaseError("connection lost")
            return real_notify_many(*args, **kwargs)

        monkeypatch.setattr(notices, "notify_many", fails_on_the_second_batch)
        monkeypatch.setattr(
            notices, "tell_residents", partial(notices.tell_residents, batch_size=2)
        )
        with pytest.raises(DatabaseError):
            notices.send_due_opening_notices()
        consultation.refresh_from_db()
        assert consultation.opening_notice_sent_at is None  # not marked: it will run again
        assert len(_told(consultation)) == 2
        notices.send_due_opening_notices()  # the retry
        everybody = sorted(User.objects.filter(is_active=True).values_list("pk", flat=True))
        assert _told(consultation) == everybody
        consultation.refresh_from_db()
        assert consultation.opening_notice_sent_at is not None


@pytest.mark.django_db
def test_beat_sweeps_every_town_in_its_own_schema(town_a, town_b, time_machine) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["consultations-opening-notices"]
    assert entry["task"] == "tenants.tasks.for_each_ready_tenant"
    assert entry["args"] == (SWEEP,)
    made = {}
    for town in (town_a, town_b):
        with schema_context(town.schema_name):
            UserFactory.create()
            made[town.pk] = every_kind(title=f"Consultation de {town.name}", **upcoming_fields())[0]
    time_machine.move_to(made[town_a.pk].opens_at + datetime.timedelta(minutes=1))
    for_each_ready_tenant(SWEEP)
    for town in (town_a, town_b):
        with schema_context(town.schema_name):
            told = Notification.objects.filter(kind=KIND)
            assert {n.url for n in told} == {f"/consultations/{made[town.pk].key}/"}
            assert sorted(n.recipient_id for n in told) == sorted(
                User.objects.filter(is_active=True).values_list("pk", flat=True)
            )


# --- A real worker, on committed rows --------------------------------------------------------


@pytest.fixture
def committed_opening(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[str, int]]:
    """In town A, committed: a consultation published ahead, whose opening has just passed."""
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            now = timezone.now()
            consultation, _q = every_kind(
                title="Consultation ouverte il y a une minute",
                opens_at=now - datetime.timedelta(minutes=1),
                closes_at=now + datetime.timedelta(days=7),
            )
    yield schema, consultation.pk
    with django_db_blocker.unblock(), schema_context(schema):
        Notification.objects.filter(kind=KIND).delete()
        Consultation.objects.filter(pk=consultation.pk).delete()


@pytest.fixture
def worker(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "DATABASE_URL": _test_database_url(),
        }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    app.control.purge()
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.celery_worker
def test_a_real_worker_tells_the_town_at_the_opening_once(
    committed_opening: tuple[str, int], worker: None, django_db_blocker: Any
) -> None:
    schema, pk = committed_opening
    with django_db_blocker.unblock(), schema_context(schema):
        first = send_opening_notices.delay()
        told = first.get(timeout=60, disable_sync_subtasks=False)
        second = send_opening_notices.delay().get(timeout=60, disable_sync_subtasks=False)
        consultation = Consultation.objects.get(pk=pk)
        audience = set(notices.audience_of(consultation).values_list("pk", flat=True))
        assert told == len(audience) > 0
        assert second == 0
        assert set(_told(consultation)) == audience
        assert consultation.opening_notice_sent_at is not None
