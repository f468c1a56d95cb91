"""The Celery app: tenant-aware, so a task sent from a town runs in that town's schema."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("placette")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
