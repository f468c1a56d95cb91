"""Settings for tests/bench/tenant_resolution.py: the project's own, plus one trivial view.

PLACETTE_BENCH_VARIANT picks the tenant middleware, nothing else changes between variants:
- plain: no tenant middleware at all (the baseline),
- ours:  the project's `tenants.middleware.TenantMiddleware`, as configured,
- stock: django-tenants' `TenantMainMiddleware` in its place (a Domain query per request).
The rest of the middleware stack and the URLconf (the bench view first, then the town's URLs)
are the same for the three.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from config import settings as _project
from config.settings import *  # noqa: F403

OURS = "tenants.middleware.TenantMiddleware"
STOCK = "django_tenants.middleware.main.TenantMainMiddleware"

VARIANT = os.environ.get("PLACETTE_BENCH_VARIANT", "ours")
if OURS not in _project.MIDDLEWARE:
    raise ImproperlyConfigured(f"{OURS} is no longer in MIDDLEWARE: update the bench.")
if VARIANT == "plain":
    MIDDLEWARE = [name for name in _project.MIDDLEWARE if name != OURS]
elif VARIANT == "ours":
    MIDDLEWARE = list(_project.MIDDLEWARE)
elif VARIANT == "stock":
    MIDDLEWARE = [STOCK if name == OURS else name for name in _project.MIDDLEWARE]
else:
    raise ImproperlyConfigured(f"PLACETTE_BENCH_VARIANT={VARIANT!r}: use plain, ours or stock.")

ROOT_URLCONF = "_tenant_bench_urls"
PUBLIC_SCHEMA_URLCONF = "_tenant_bench_urls_public"
