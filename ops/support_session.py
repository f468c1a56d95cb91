"""The read-only support session on a town's site: our staff member sees what a resident sees.

It is not a town account. The session holds the visit (grant, staff member); on every request
the grant is read again (never cached, so a revocation or the grant's end counts at once), the
request's user becomes a `SupportViewer` that no query can match and no form can save, only
GET and HEAD go through, and each page seen is recorded as a use of the grant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from ops import support_access
from ops.support_access import SupportVisit
from tenants import schema

SESSION_KEY = "placette_support_visit"
READ_METHODS = ("GET", "HEAD")
UNLOGGED_PREFIXES = ("/static/", "/media/", "/i18n/")
# A support session never signs anyone in, out, or up, and never sees a resident's account.
CLOSED_PREFIXES = ("/accounts/", "/mon-compte/", "/premiere-connexion/", "/api/")
EXIT_PATH = "/support/sortir/"


def _refuse_saving(*args: Any, **kwargs: Any) -> None:
    raise PermissionError("A support session changes nothing.")


def viewer(visit: SupportVisit) -> User:
    """A resident with no row of its own (id 0 matches nobody: `author=viewer` finds nothing),
    which nothing can save."""
    user = User(id=0, display_name=visit.staff_label, role=User.Role.RESIDENT, is_active=True)
    user.save = _refuse_saving  # type: ignore[method-assign]
    user.is_support_viewer = True  # type: ignore[attr-defined]
    return user


def start(request: HttpRequest, visit: SupportVisit) -> None:
    """Whoever was signed in on this browser is signed out: the session is support only."""
    request.session.flush()  # a new key, nothing of the former session (nor its sign-in)
    request.user = AnonymousUser()
    request.session[SESSION_KEY] = {
        "grant": visit.grant_id,
        "staff": visit.staff_id,
        "label": visit.staff_label,
    }


def visit_of(request: HttpRequest) -> SupportVisit | None:
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not isinstance(data, dict):
        return None
    return SupportVisit(int(data["grant"]), int(data["staff"]), str(data["label"]))


class SupportSessionMiddleware:
    """After authentication: a support session reads, as a viewer, while its grant lives."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if schema.is_public():
            return self.get_response(request)
        visit = visit_of(request)
        if visit is None:
            return self.get_response(request)
        town = schema.request_tenant(request)
        if request.path_info == EXIT_PATH:
            request.session.flush()
            return self.get_response(request)
        if not support_access.grant_is_live(visit.grant_id, town):
            request.session.flush()
            return render(request, "ops/support_ended.html", status=403)
        if request.method not in READ_METHODS or request.path_info.startswith(CLOSED_PREFIXES):
            return render(request, "ops/support_read_only.html", status=403)
        request.user = viewer(visit)
        response = self.get_response(request)
        if not request.path_info.startswith(UNLOGGED_PREFIXES):
            support_access.record_use(visit, town, request.get_full_path())
        return response
