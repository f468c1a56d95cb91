"""The ops console's admin site: for Placette staff who sign in with TOTP, and nobody else."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.middleware import has_totp
from tenants import schema

View = TypeVar("View", bound=Callable[..., Any])


def is_ops_staff(request: HttpRequest) -> bool:
    """A public-schema staff account that signed in with TOTP set up."""
    user = request.user
    return (
        schema.is_public()
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and has_totp(request)
    )


class OpsSite(admin.AdminSite):
    site_header = _("Placette console")
    site_title = _("Placette console")
    index_title = _("Operations")
    site_url = None  # no "view site" link: the root domain is the public site, not ours
    empty_value_display = "—"
    enable_nav_sidebar = False
    index_template = "ops/index.html"  # the admin's lists, and links to the console's own pages

    def has_permission(self, request: HttpRequest) -> bool:
        return is_ops_staff(request)

    def refuse(self, request: HttpRequest) -> HttpResponse:
        """Where someone without the console's access goes: to sign in, to set up TOTP, or out."""
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("account_login"))
        if schema.is_public() and request.user.is_active and request.user.is_staff:
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        raise PermissionDenied

    def admin_view(self, view: View, cacheable: bool = False) -> View:
        # Django's own wrapper sends a refused user to the admin's login form, which answers
        # 200 to anyone signed in; ours sends them to allauth (and its TOTP step) instead.
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not self.has_permission(request):
                return self.refuse(request)
            return inner(request, *args, **kwargs)

        return cast(View, never_cache(guarded))

    def get_urls(self) -> list[URLPattern | URLResolver]:
        from ops.urls import urlpatterns  # the views import this site: read them once it exists

        return [*urlpatterns(), *super().get_urls()]

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Signing in is allauth's (password, then the TOTP code); the admin's form is unused."""
        if not self.has_permission(request):
            return self.refuse(request)
        return HttpResponseRedirect(reverse("ops:index", current_app=self.name))

    def password_change(  # type: ignore[override]  # a redirect, not the admin's form
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """allauth's form, which asks for the current password and tells the person by email."""
        return HttpResponseRedirect(reverse("account_change_password"))


ops_site = OpsSite(name="ops")
