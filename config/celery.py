"""The Celery app: tenant-aware, so a task sent from a town runs in that town's schema."""

import os
from typing import Any

from celery.signals import task_prerun
from django.conf import settings
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("placette")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _tag_sentry_with_tenant(task: Any = None, **kwargs: Any) -> None:
    """Errors in a task are reported with the town it ran for."""
    if not settings.SENTRY_DSN or task is None:
        return
    import sentry_sdk
    from tenant_schemas_celery.app import get_schema_name_from_task

    sentry_sdk.set_tag("tenant", get_schema_name_from_task(task, kwargs) or "public")
