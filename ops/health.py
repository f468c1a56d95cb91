"""What the platform health page shows, each part read in a fixed number of queries: towns
behind on migrations, towns stuck being prepared, Stripe events not applied, Celery's queues,
failed tasks and the periodic jobs' last runs."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import redis
from celery.schedules import BaseSchedule, maybe_schedule
from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from kombu.transport.redis import PRIORITY_STEPS, Channel

from billing.models import StripeEvent
from ops.models import FailedTask, PeriodicJobRun, TenantFigures
from tenants.models import Collectivite

LISTED = 20  # rows shown per block; the count says how many there are in all
# A town still "being prepared" after this long failed: provisioning takes about a second.
PROVISIONING_STUCK_AFTER = datetime.timedelta(minutes=10)
# A periodic job is late once its next run is this much overdue (beat, then a busy queue).
JOB_GRACE = datetime.timedelta(minutes=15)
REDIS_TIMEOUT = 1.0  # seconds: a Redis that does not answer must not hold the page


@dataclass
class Listing:
    count: int
    rows: list[Any]


def towns_behind() -> Listing:
    behind = TenantFigures.objects.filter(migrations_behind__gt=0)
    rows = list(
        behind.select_related("collectivite").order_by("-migrations_behind", "collectivite_id")[
            :LISTED
        ]
    )
    return Listing(behind.count(), rows)


def towns_stuck(now: datetime.datetime) -> Listing:
    stuck = Collectivite.objects.filter(
        status=Collectivite.Status.PROVISIONING, created_at__lt=now - PROVISIONING_STUCK_AFTER
    )
    rows = list(stuck.order_by("created_at", "pk")[:LISTED])
    return Listing(stuck.count(), rows)


@dataclass
class StripeEvents:
    count: int
    oldest: datetime.datetime | None
    rows: list[StripeEvent]


def stripe_events() -> StripeEvents:
    unprocessed = StripeEvent.objects.unprocessed()
    summary = unprocessed.aggregate(count=Count("pk"), oldest=Min("received_at"))
    rows = list(
        unprocessed.order_by("received_at", "pk").only(
            "event_id", "type", "received_at", "attempts", "next_attempt_at", "error"
        )[:LISTED]
    )
    return StripeEvents(summary["count"], summary["oldest"], rows)


def failed_tasks() -> list[FailedTask]:
    return list(FailedTask.objects.all()[:LISTED])


@dataclass
class QueueLength:
    name: str
    length: int | None  # None: Redis did not answer


def queue_names() -> list[str]:
    names = [settings.CELERY_TASK_DEFAULT_QUEUE]
    for route in (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).values():
        if isinstance(route, dict) and route.get("queue") and route["queue"] not in names:
            names.append(route["queue"])
    return names


def _broker() -> redis.Redis:
    url = settings.CELERY_BROKER_URL
    options: dict[str, Any] = {
        "socket_timeout": REDIS_TIMEOUT,
        "socket_connect_timeout": REDIS_TIMEOUT,
    }
    parts = urlsplit(url)
    if parts.scheme == "redis+socket":  # Kombu's own spelling of a Unix socket
        db = int(parse_qs(parts.query).get("virtual_host", ["0"])[0] or 0)
        return redis.Redis(unix_socket_path=parts.path, db=db, **options)
    return redis.Redis.from_url(url, **options)


def queue_lengths() -> list[QueueLength]:
    """Messages waiting in each queue, priorities included (Kombu keeps one Redis list per
    priority step, named as kombu.transport.redis.Channel._q_for_pri does)."""
    names = queue_names()
    try:
        client = _broker()
        pipe = client.pipeline(transaction=False)
        for name in names:
            for step in PRIORITY_STEPS:
                pipe.llen(f"{name}{Channel.sep}{step}" if step else name)
        lengths = pipe.execute()
    except (redis.RedisError, OSError, ValueError):
        logging.getLogger(__name__).warning("Celery's broker did not answer", exc_info=True)
        return [QueueLength(name, None) for name in names]
    steps = len(PRIORITY_STEPS)
    return [
        QueueLength(name, sum(lengths[index * steps : (index + 1) * steps]))
        for index, name in enumerate(names)
    ]


@dataclass
class JobState:
    name: str
    task: str
    last_success_at: datetime.datetime | None
    last_failure_at: datetime.datetime | None
    last_error: str
    due_at: datetime.datetime | None  # when the next run after the last success was due

    @property
    def late(self) -> bool:
        return self.due_at is not None and timezone.now() > self.due_at + JOB_GRACE

    @property
    def failing(self) -> bool:
        return self.last_failure_at is not None and (
            self.last_success_at is None or self.last_failure_at > self.last_success_at
        )

    @property
    def never_run(self) -> bool:
        return self.last_success_at is None


def periodic_jobs(now: datetime.datetime) -> list[JobState]:
    runs = {run.job: run for run in PeriodicJobRun.objects.all()}
    states = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        run = runs.get(name)
        last = run.last_success_at if run else None
        due_at = None
        if last is not None:
            # Celery's own schedule says how long after `last` the next run was to come.
            schedule = cast(BaseSchedule, maybe_schedule(cast(Any, entry["schedule"])))
            due_at = now + schedule.remaining_estimate(last)
        states.append(
            JobState(
                name=name,
                task=str(entry["task"]),
                last_success_at=last,
                last_failure_at=run.last_failure_at if run else None,
                last_error=run.last_error if run else "",
                due_at=due_at,
            )
        )
    return states
