"""The Celery app: tenant-aware, so a task sent from a town runs in that town's schema."""

import os
from typing import Any

from celery.signals import task_prerun
from celery.utils import uuid
from django.conf import settings
from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import headers_with_schema

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class PlacetteCelery(CeleryApp):
    """Tenant-aware, and a task the broker refuses is kept for later (tenants.task_outbox)."""

    def send_task(self, name: str, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        keep_when_away = options.pop("keep_when_away", True)
        try:
            return super().send_task(name, args=args, kwargs=kwargs, **options)
        except Exception as error:
            from tenants import task_outbox

            if not (
                keep_when_away
                and isinstance(error, task_outbox.BROKER_AWAY)
                and not self.conf.task_always_eager
            ):
                raise
            options["headers"] = headers_with_schema(options.get("headers") or {})
            options["task_id"] = options.get("task_id") or uuid()
            if not task_outbox.keep(name, args, kwargs, options, error):
                raise
            return self.AsyncResult(options["task_id"])


app = PlacetteCelery("placette")
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
