"""What the health page knows of Celery: every task that failed for good, and the last success
and failure of each periodic job, written into the public schema by Celery's signals."""

from __future__ import annotations

import logging
import reprlib
from collections.abc import Iterable
from typing import Any, cast

from celery.signals import task_failure, task_success
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from ops.models import FailedTask, PeriodicJobRun
from tenants import schema

logger = logging.getLogger(__name__)
_short = reprlib.Repr(maxstring=80, maxother=80, maxlist=10, maxdict=10)


def beat_job_for(task_name: str, args: Any) -> str | None:
    """The CELERY_BEAT_SCHEDULE entry this run is, by task and arguments (several entries run
    the same task with other arguments: tenants.tasks.for_each_ready_tenant)."""
    args = tuple(args or ())
    for job, entry in settings.CELERY_BEAT_SCHEDULE.items():
        if entry["task"] == task_name and tuple(cast(Iterable[Any], entry.get("args", ()))) == args:
            return job
    return None


def record_failure(
    sender: Any = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    args: Any = None,
    kwargs: Any = None,
    **_: Any,
) -> None:
    now = timezone.now()
    error = f"{type(exception).__name__}: {exception}"[:2000]
    try:
        # Still the task's own schema: tenant-schemas-celery switches back after this signal.
        schema_name = schema.current_schema()
        with schema_context(get_public_schema_name()):
            FailedTask.objects.create(
                task_id=task_id or "",
                task_name=sender.name,
                schema_name=schema_name,
                arguments=_short.repr((tuple(args or ()), dict(kwargs or {}))),
                error=error,
                retries=sender.request.retries or 0,
                failed_at=now,
            )
            if job := beat_job_for(sender.name, args):
                PeriodicJobRun.objects.update_or_create(
                    job=job, defaults={"last_failure_at": now, "last_error": error}
                )
    except Exception:  # recording must never hide the task's own failure
        logger.exception("The failure of task %s could not be recorded", task_id)


def record_success(sender: Any = None, **_: Any) -> None:
    job = beat_job_for(sender.name, sender.request.args)
    if job is None:
        return
    try:
        with schema_context(get_public_schema_name()):
            PeriodicJobRun.objects.update_or_create(
                job=job, defaults={"last_success_at": timezone.now()}
            )
    except Exception:  # a job that ran is not made to fail by its bookkeeping
        logger.exception("The run of periodic job %s could not be recorded", job)


def connect() -> None:
    task_failure.connect(record_failure, weak=False, dispatch_uid="ops.record_failure")
    task_success.connect(record_success, weak=False, dispatch_uid="ops.record_success")
