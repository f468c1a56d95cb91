"""The console's own pages, beside the admin's lists: each part of the console lists its URLs in
its own module, and the site (ops.site.OpsSite.get_urls) puts them under /ops/, guarded."""

from __future__ import annotations

from django.urls import URLPattern

from ops.views import (
    billing_actions,
    data,
    domain_actions,
    health,
    lifecycle,
    plans,
    support,
    tenant,
)


def urlpatterns() -> list[URLPattern]:
    return [
        *tenant.urlpatterns,
        *billing_actions.urlpatterns,
        *domain_actions.urlpatterns,
        *data.urlpatterns,
        *lifecycle.urlpatterns,
        *plans.urlpatterns,
        *support.urlpatterns,
        *health.urlpatterns,
    ]
