"""Pick the schema and URLconf from the request's host; refuse to serve towns that are not ready."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.http.request import split_domain_port
from django.shortcuts import render
from django.urls import set_urlconf

from tenants import errors, request_memo, schema
from tenants.addresses import host_url
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
            custom = _custom_domain(request)
            if custom is None:
                # Not one of our addresses (scanners send these all day): a plain 400, in DEBUG
                # too, with nothing to log.
                return errors.bad_request(request)
            host = custom
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
        if _redirects_to_primary(request, tenant, host):
            return HttpResponsePermanentRedirect(
                host_url(tenant.redirect_host, request.get_full_path())
            )

        tenant.domain_url = host
        request.tenant = tenant  # type: ignore[attr-defined]
        request.urlconf = settings.ROOT_URLCONF
        schema.activate(tenant)
        set_urlconf(request.urlconf)
        if self.report_tenant:
            import sentry_sdk

            sentry_sdk.set_tag("tenant", tenant.schema_name)
        return self.get_response(request)


def _custom_domain(request: HttpRequest) -> str | None:
    """The host of a request outside ALLOWED_HOSTS when it is a town's custom domain, else None.

    ALLOWED_HOSTS lists our own names; custom domains live in the database, so this is where
    they are allowed: the request's host is then pinned, for the rest of Django (CSRF, redirects)
    to read through get_host() as it would an allowed one.
    """
    raw = request._get_raw_host()  # type: ignore[attr-defined]  # get_host() without the check
    domain, _port = split_domain_port(raw)
    domain = domain.removesuffix(".")
    # Scanners mostly ask for our IP address: no domain of ours is one, no lookup needed.
    if not domain or _is_ip_address(domain) or resolve_host(domain) is None:
        return None
    request.get_host = lambda: raw  # type: ignore[method-assign]
    return domain


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _redirects_to_primary(request: HttpRequest, tenant: Collectivite, host: str) -> bool:
    """A page asked on a town's former address goes to its primary one (301).

    Only page reads: a form posted from a page still open on the old address, and the API,
    whose clients do not all follow a redirect (and would lose a POST's body), are served where
    they ask.
    """
    return (
        bool(tenant.redirect_host)
        and host != tenant.redirect_host
        and request.method in ("GET", "HEAD")
        and not request.path_info.startswith("/api/")
    )


def _status_page(request: HttpRequest, tenant: Collectivite) -> HttpResponse:
    status = 410 if tenant.status == Collectivite.Status.DEACTIVATED else 503
    response = render(request, "tenants/tenant_status.html", {"town": tenant}, status=status)
    if status == 503:
        response["Retry-After"] = "120"
    return response
