"""Tenant-aware background work: fan a task out to every town whose site is open."""

from __future__ import annotations

from typing import Any

from celery import current_app, shared_task
from django_tenants.utils import schema_context

from tenants import exports, task_outbox
from tenants.models import Collectivite


@shared_task
def for_each_ready_tenant(task_name: str, *args: Any, **kwargs: Any) -> int:
    """Send `task_name` once per ready collectivité; each copy runs in that town's schema.

    Beat schedules this with the public schema active; tenant-schemas-celery stamps each
    message with the schema that is active when it is sent.
    """
    task = current_app.tasks[task_name]
    schemas = list(
        Collectivite.objects.filter(status=Collectivite.Status.READY)
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )
    for schema_name in schemas:
        with schema_context(schema_name):
            task.delay(*args, **kwargs)
    return len(schemas)


# A data export that fails (the database or the disk for a while) is tried again with backoff,
# never lost (acks_late); building is idempotent, so a second run after a lost ack is harmless.
@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=5,
    acks_late=True,
)
def build_data_export(self: Any, export_id: int) -> str:
    try:
        return str(exports.build(export_id).state)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            exports.mark_failed(export_id, error)
        raise


@shared_task
def purge_expired_exports() -> int:
    return exports.purge_expired()


@shared_task(bind=True)
def relay_kept_tasks(self: Any) -> int:
    """Tasks kept while the broker was away (tenants.task_outbox), sent now that it is back."""
    return task_outbox.relay(self.app)
