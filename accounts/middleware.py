"""Guards around sessions: one town's session is worthless elsewhere; ops staff must use TOTP."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.signals import SESSION_SCHEMA_KEY
from tenants import schema


class SessionTenantGuardMiddleware:
    """Sessions are stored per schema already; this also refuses one that names another schema."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and (
            request.session.get(SESSION_SCHEMA_KEY) != schema.current_schema()
        ):
            logout(request)
        return self.get_response(request)


class OpsStaffMfaMiddleware:
    """On the root domain only staff may be logged in, and only once they have set up TOTP."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if schema.is_public() and request.user.is_authenticated:
            if not request.user.is_staff:
                logout(request)
            elif not request.path.startswith(self.ALLOWED_PREFIXES) and not has_totp(request):
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


TOTP_CHECKED = "_has_totp"


def has_totp(request: HttpRequest) -> bool:
    """The signed-in account has an activated TOTP authenticator: asked once per request (this
    middleware, then the ops console, read the same answer)."""
    from allauth.mfa.models import Authenticator

    if not hasattr(request, TOTP_CHECKED):
        found = Authenticator.objects.filter(
            user_id=request.user.pk, type=Authenticator.Type.TOTP
        ).exists()
        setattr(request, TOTP_CHECKED, found)
    return bool(getattr(request, TOTP_CHECKED))
