"""Tenant-aware background work: fan a task out to every town whose site is open."""

from __future__ import annotations

from typing import Any

from celery import current_app, shared_task
from django_tenants.utils import schema_context

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
