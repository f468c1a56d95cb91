"""The public home, a town's home, and the health check."""

from __future__ import annotations

from django.apps import apps
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from redis.exceptions import RedisError

from tenants.models import Collectivite


def public_home(request: HttpRequest) -> HttpResponse:
    from billing.models import Plan

    towns = Collectivite.objects.filter(status=Collectivite.Status.READY).count()
    plans = Plan.objects.filter(is_active=True)
    return render(request, "tenants/public_home.html", {"town_count": towns, "plans": plans})


def town_home(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/town_home.html")


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
    try:
        cache.set("healthz", "ok", timeout=10)
        return "ok" if cache.get("healthz") == "ok" else "error: read back failed"
    except RedisError as error:
        return f"error: {type(error).__name__}"


def _check_migrations() -> str:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return "ok" if not plan else f"error: {len(plan)} unapplied"
