"""The root domain's URLs with the bench view in front (tests/bench/tenant_resolution.py)."""

from _tenant_bench_urls import BENCH_PATH, bench_ping
from django.urls import path

from config.urls_public import urlpatterns as public_urlpatterns

urlpatterns = [path(BENCH_PATH.lstrip("/"), bench_ping), *public_urlpatterns]
