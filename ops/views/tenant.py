"""One collectivité's page in the console: who it is, its domains, billing, usage and log."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path

from ops.site import ops_site
from tenants.models import Collectivite


def tenant_page(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = get_object_or_404(Collectivite, pk=pk)
    context = {
        **ops_site.each_context(request),
        "title": tenant.name,
        "tenant": tenant,
    }
    return TemplateResponse(request, "ops/tenant.html", context)


urlpatterns = [
    path("collectivites/<int:pk>/", ops_site.admin_view(tenant_page), name="tenant"),
]
