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


def town_admin_required(view: View) -> View:
    """Only the admins of the town whose site this is; guests are sent to log in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if schema.is_public():
            raise PermissionDenied
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(request.user, "is_town_admin", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
