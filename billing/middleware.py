"""Enforce what the town's subscription allows (billing.access), on every request of its site.

It reads the access level from the cached tenant: no query is added to any request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from billing.access import ADMIN_PREFIXES, ALWAYS_OPEN_PREFIXES, SIGNUP_VIEWS, may_sign_up
from billing.models import BillingAccount
from tenants import schema
from tenants.models import Collectivite

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
API_PREFIX = "/api/"


class SiteAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if schema.is_public():
            return self.get_response(request)
        access = schema.request_tenant(request).site_access
        path = request.path_info
        if access == Collectivite.Access.FULL or path.startswith(ALWAYS_OPEN_PREFIXES):
            return self.get_response(request)
        is_admin = bool(getattr(request.user, "is_town_admin", False))
        if is_admin and path.startswith(ADMIN_PREFIXES):
            return self.get_response(request)
        api = path.startswith(API_PREFIX)
        if access == Collectivite.Access.ADMINS_ONLY:
            if api:
                return JsonResponse({"detail": _("This site is closed for now.")}, status=503)
            if is_admin:
                return redirect("billing:overview")
            return _suspended_page(request)
        if request.method not in SAFE_METHODS:
            if api:  # a program reads the refusal: JSON, in the site's language
                detail = _("This site is read only for now: nobody can post at the moment.")
                return JsonResponse({"detail": detail}, status=403)
            return render(request, "billing/read_only.html", status=403)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # By view name, not path: sign-up lives under /accounts/, open whatever the access.
        if schema.is_public() or request.resolver_match is None:
            return None
        if request.resolver_match.view_name not in SIGNUP_VIEWS:
            return None
        if may_sign_up(schema.request_tenant(request).site_access):
            return None
        return render(request, "billing/signup_closed.html", status=403)


def _suspended_page(request: HttpRequest) -> HttpResponse:
    """The status page the public sees, with the message our staff left (one query, on this
    page only: an open site never reads it)."""
    message = (
        BillingAccount.objects.filter(collectivite_id=schema.request_tenant(request).pk)
        .values_list("suspension_message", flat=True)
        .first()
    )
    return render(request, "billing/suspended.html", {"message": message or ""}, status=503)
