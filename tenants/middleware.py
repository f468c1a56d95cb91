"""Pick the schema and URLconf from the request's host; refuse to serve towns that are not ready."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import set_urlconf

from tenants import errors, request_memo, schema
from tenants.directory import resolve_host
from tenants.models import Collectivite


def hostname(request: HttpRequest) -> str:
    # get_host() enforces ALLOWED_HOSTS (a 400 for foreign hosts).
    return request.get_host().rsplit(":", 1)[0].lower().removesuffix(".")


def is_root_host(host: str) -> bool:
    return host in (settings.ROOT_DOMAIN, f"www.{settings.ROOT_DOMAIN}")


class TenantMiddleware:
    """Replaces django-tenants' TenantMainMiddleware: same contract, cached resolution."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.report_tenant = bool(settings.SENTRY_DSN)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_memo.scope():
            return self._respond(request)

    def _respond(self, request: HttpRequest) -> HttpResponse:
        schema.activate_public()
        try:
            host = hostname(request)
        except DisallowedHost:
            # Not one of our addresses (scanners send these all day): a plain 400, in DEBUG too,
            # with nothing to log.
            return errors.bad_request(request)
        request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        request.tenant = schema.current_tenant()  # type: ignore[attr-defined]  # public "tenant"
        if request.path_info.startswith(settings.STATIC_URL) or is_root_host(host):
            set_urlconf(request.urlconf)
            return self.get_response(request)

        tenant = resolve_host(host)
        if tenant is None:
            return render(request, "tenants/unknown_host.html", {"host": host}, status=404)
        if tenant.status != Collectivite.Status.READY:
            return _status_page(request, tenant)

        tenant.domain_url = host
        request.tenant = tenant  # type: ignore[attr-defined]
        request.urlconf = settings.ROOT_URLCONF
        schema.activate(tenant)
        set_urlconf(request.urlconf)
        if self.report_tenant:
            import sentry_sdk

            sentry_sdk.set_tag("tenant", tenant.schema_name)
        return self.get_response(request)


def _status_page(request: HttpRequest, tenant: Collectivite) -> HttpResponse:
    status = 410 if tenant.status == Collectivite.Status.DEACTIVATED else 503
    response = render(request, "tenants/tenant_status.html", {"town": tenant}, status=status)
    if status == 503:
        response["Retry-After"] = "120"
    return response
