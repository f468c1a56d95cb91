from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Collectivités"

    def ready(self) -> None:
        # --executor=placette (deploy/release.sh); the cache's invalidation.
        from tenants import migration_executor, signals  # noqa: F401
