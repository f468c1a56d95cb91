"""The ops console app (public schema only)."""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Console Placette"

    def ready(self) -> None:
        from ops import (
            list_cache,
            task_records,
            tenants_admin,  # noqa: F401  (registers the tenants list on the site)
        )

        list_cache.connect()  # the tenants list's cached pages go stale on any change
        task_records.connect()  # failed tasks and periodic jobs, for the health page
