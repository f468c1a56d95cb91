"""Who may do what inside a town: checked by decorators, so no view can forget."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from tenants import schema

View = Callable[..., HttpResponse]


def _town_role_required(role_flag: str) -> Callable[[View], View]:
    """People of the town whose site this is with `user.<role_flag>`; guests go to log in."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if schema.is_public():
                raise PermissionDenied
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not getattr(request.user, role_flag, False):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# The town's admins only.
town_admin_required = _town_role_required("is_town_admin")
# Its agents: moderators and admins (the town hall desk, moderation).
town_staff_required = _town_role_required("is_moderator")
