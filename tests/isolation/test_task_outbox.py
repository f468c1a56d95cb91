"""A task Redis refuses (the broker away) is kept in PostgreSQL with its town, then sent to
that town once the broker is back, on a real worker (tenants.task_outbox)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import app
from tenants import task_outbox
from tenants.models import KeptTask
from tests.isolation.celery_probe import who_am_i
from tests.isolation.test_celery_tasks import real_worker  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.celery_worker]

# A port where no Redis listens: what publishing meets while the broker is stopped.
AWAY = "redis://127.0.0.1:9/0"


def test_a_refused_task_is_kept_and_runs_in_its_own_town_once_sent(
    real_worker,  # noqa: F811
    town_a,
    town_b,
) -> None:
    with app.connection_for_write(AWAY) as away, schema_context(town_a.schema_name):
        result = app.send_task(who_am_i.name, connection=away)  # what delay() calls

    kept = KeptTask.objects.get()
    assert (kept.name, kept.schema_name) == (who_am_i.name, town_a.schema_name)
    assert kept.options["task_id"] == result.id
    assert "OperationalError" in kept.error

    # The relay's own sending raises instead of keeping a second copy.
    with app.connection_for_write(AWAY) as away, pytest.raises(task_outbox.BROKER_AWAY):
        app.send_task(who_am_i.name, connection=away, keep_when_away=False)
    assert KeptTask.objects.count() == 1
    assert task_outbox.relay(app) == 1
    assert not KeptTask.objects.exists()
    seen = result.get(timeout=30, disable_sync_subtasks=False)
    assert seen["schema"] == town_a.schema_name


def test_a_kept_task_past_its_expiry_is_dropped_not_sent(town_a) -> None:
    KeptTask.objects.create(
        name=who_am_i.name,
        schema_name=town_a.schema_name,
        options={"expires": (timezone.now() - timedelta(seconds=1)).isoformat()},
    )
    assert task_outbox.relay(app) == 0
    assert not KeptTask.objects.exists()
