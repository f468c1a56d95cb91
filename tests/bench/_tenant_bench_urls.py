"""A town's URLs with the bench view in front (tests/bench/tenant_resolution.py)."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls_tenant import urlpatterns as town_urlpatterns

BENCH_PATH = "/__bench__/ping"


def bench_ping(request: HttpRequest) -> HttpResponse:
    # No database access: `schema_name` is an attribute the tenant middleware set (or not).
    # The body lets the bench check each variant really went through its middleware.
    schema: str = connection.schema_name  # type: ignore[attr-defined]  # django-tenants
    return HttpResponse(schema, content_type="text/plain")


urlpatterns = [path(BENCH_PATH.lstrip("/"), bench_ping), *town_urlpatterns]
