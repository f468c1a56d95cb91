"""The ops console app (public schema only)."""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Console Placette"

    def ready(self) -> None:
        from ops import tenants_admin  # noqa: F401  (registers the tenants list on the site)
