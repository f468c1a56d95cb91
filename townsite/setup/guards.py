"""The administration of a town's site: for its admins, once they have chosen a password."""

from __future__ import annotations

from functools import wraps
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.models import User
from accounts.permissions import View, town_admin_required


def town_admin_with_password(view: View) -> View:
    """`town_admin_required`, then: an admin with no password yet (the signer, just in through
    the welcome link) chooses one first, whatever page of the administration they open."""

    @town_admin_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = cast(User, request.user)  # town_admin_required let only an admin through
        if not user.has_usable_password():
            return redirect("townsite:welcome_password")
        return view(request, *args, **kwargs)

    return wrapped
