"""The health check of the platform (served on the root domain)."""

from __future__ import annotations

from django.apps import apps
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from redis.exceptions import RedisError

from tenants.cache import STRICT


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis and the public schema's migrations are all fine, else 503."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    checks["migrations"] = _check_migrations() if checks["database"] == "ok" else "unknown"
    healthy = all(value == "ok" for value in checks.values())
    figures: dict[str, object] = {}
    if checks["migrations"] == "ok":  # figures apps report (billing: Stripe events not applied)
        for app in apps.get_app_configs():
            if hasattr(app, "health_report"):
                figures.update(app.health_report())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks, **figures},
        status=200 if healthy else 503,
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as error:  # noqa: BLE001  (any failure is a failed check)
        return f"error: {type(error).__name__}"


def _check_redis() -> str:
    # The strict alias: the health check must see Redis' own error, not a soft miss.
    cache = caches[STRICT]
    try:
        cache.set("healthz", "ok", timeout=10)
        return "ok" if cache.get("healthz") == "ok" else "error: read back failed"
    except RedisError as error:
        return f"error: {type(error).__name__}"


def _check_migrations() -> str:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return "ok" if not plan else f"error: {len(plan)} unapplied"
