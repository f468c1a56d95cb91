"""Tasks sent while Redis is away are kept in PostgreSQL, then sent when it is back.

Celery publishes to Redis; with Redis stopped, `delay()` raises after kombu's short publish
retries, and the mail or the task it carried would be lost (most are sent after a commit, the
data already saved). `keep` stores such a task with the schema it was sent from; beat's
`relay` (every 30 s) sends what was kept, oldest first, and forgets each one once the broker
took it. A task may then run twice if the database fails between the two (at least once, as
every task with acks_late): tasks are idempotent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from kombu.exceptions import OperationalError

from tenants import schema
from tenants.models import KeptTask

logger = logging.getLogger(__name__)

# What publishing raises when the broker does not answer.
BROKER_AWAY = (OperationalError, ConnectionError, TimeoutError)
# Options that mean something once the task is sent again; anything else is dropped.
KEPT_OPTIONS = ("queue", "routing_key", "priority", "task_id", "countdown", "eta", "expires")
RELAY_BATCH = 200


def _when(value: Any, now: datetime) -> str | None:
    """A moment as ISO text: seconds from now or a datetime (countdown, eta, expires)."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return (now + timedelta(seconds=value)).isoformat()
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def keep(name: str, args: Any, kwargs: Any, options: dict[str, Any], error: Exception) -> bool:
    """Store a task the broker refused; False when it cannot be kept either (then the
    caller raises the broker's error, as before)."""
    now = timezone.now()
    kept: dict[str, Any] = {}
    for key in KEPT_OPTIONS:
        if options.get(key) is not None:
            kept[key] = options[key]
    countdown = kept.pop("countdown", None)
    if countdown is not None and "eta" not in kept:
        kept["eta"] = countdown
    for key in ("eta", "expires"):
        if key in kept:
            kept[key] = _when(kept[key], now)
    headers = options.get("headers") or {}
    schema_name = str(headers.get("_schema_name") or schema.current_schema())
    try:
        with schema_context("public"):
            KeptTask.objects.create(
                name=name,
                args=list(args or ()),
                kwargs=dict(kwargs or {}),
                options=kept,
                schema_name=schema_name,
                kept_at=now,
                error=f"{type(error).__name__}: {error}"[:300],
            )
    except (DatabaseError, TypeError, ValueError):
        logger.exception("Task %s could not be kept while the broker is away", name)
        return False
    logger.warning("Broker away: task %s kept for later (%s)", name, error)
    return True


def relay(app: Any) -> int:
    """Send what was kept, oldest first; stops at the first refusal (the broker is still
    away: the rest waits for the next run). Returns how many were sent."""
    sent = 0
    now = timezone.now()
    with schema_context("public"):
        while True:
            with transaction.atomic():
                batch = list(
                    KeptTask.objects.select_for_update(skip_locked=True).order_by("pk")[
                        :RELAY_BATCH
                    ]
                )
                if not batch:
                    return sent
                for task in batch:
                    options = dict(task.options)
                    expires = options.get("expires")
                    if expires and datetime.fromisoformat(expires) <= now:
                        logger.info("Kept task %s expired before the broker came back", task.name)
                        task.delete()
                        continue
                    for key in ("eta", "expires"):
                        if options.get(key):
                            options[key] = datetime.fromisoformat(options[key])
                    try:
                        app.send_task(
                            task.name,
                            args=task.args,
                            kwargs=task.kwargs,
                            headers={"_schema_name": task.schema_name},
                            keep_when_away=False,
                            **options,
                        )
                    except BROKER_AWAY:
                        logger.warning("Broker still away: %s kept tasks wait", len(batch))
                        return sent
                    task.delete()
                    sent += 1
