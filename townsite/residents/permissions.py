"""Who may use the town hall desk pages: the town's agents (moderators and admins)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.permissions import View
from tenants import schema


def desk_agent_required(view: View) -> View:
    """Moderators and admins of the town whose site this is; guests are sent to log in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if schema.is_public():
            raise PermissionDenied
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(request.user, "is_moderator", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
