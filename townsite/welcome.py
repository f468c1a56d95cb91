"""The signer's way into their new site, right after its creation (one use, 15 minutes), and
the first step of their welcome: choosing the password they will log in with."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from redis.exceptions import RedisError

from accounts import tokens
from accounts.models import User
from accounts.services import set_first_password
from onboarding.invitations import WELCOME_LINKS
from tenants.cache import STRICT
from townsite.residents.forms import ChoosePasswordForm

SETUP_WIZARD = "/administration/configuration/"


def welcome(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data, validity = _read(token)
    except signing.SignatureExpired:
        return _expired(request)
    except signing.BadSignature:
        # Signed for another town's schema (or tampered with): as unknown as any other link.
        raise Http404 from None
    used_key = "welcome-used:" + hashlib.sha256(token.encode()).hexdigest()
    if not _first_use(used_key, validity):
        return _expired(request)
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None:
        raise Http404
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if user.has_usable_password():
        return redirect(SETUP_WIZARD)
    return redirect("townsite:welcome_password")


@never_cache
@login_required
def choose_password(request: HttpRequest) -> HttpResponse:
    """Step one of the welcome: the administration sends here until a password is chosen."""
    user: User = request.user  # type: ignore[assignment]
    if user.has_usable_password():
        return redirect(SETUP_WIZARD if user.is_town_admin else "home")
    form = ChoosePasswordForm(
        user, request.POST if request.method == "POST" else None, needs_charter=False
    )
    if request.method == "POST" and form.is_valid():
        user = set_first_password(user, form.cleaned_data["password1"])
        update_session_auth_hash(request, user)  # the new password must not log them out
        messages.success(
            request,
            _("Your password is saved: use it with your email to log in. Now set up your site."),
        )
        return redirect(SETUP_WIZARD)
    return render(
        request,
        "townsite/welcome_password.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


def _read(token: str) -> tuple[Any, timedelta]:
    """The link's value and validity: the sign-up's own (15 minutes) or one our staff sent
    again (onboarding.invitations, 48 hours). Raises signing.BadSignature or SignatureExpired."""
    expired = False
    for purpose, validity in WELCOME_LINKS:
        try:
            return tokens.unsign(token, purpose=purpose, max_age=validity), validity
        except signing.SignatureExpired:
            expired = True
        except signing.BadSignature:
            continue
    if expired:
        raise signing.SignatureExpired
    raise signing.BadSignature


def _first_use(key: str, validity: timedelta) -> bool:
    # Fails closed: while Redis does not answer, nothing proves the link was not used already.
    try:
        return bool(caches[STRICT].add(key, True, timeout=int(validity.total_seconds()) * 2))
    except RedisError:
        return False


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, "townsite/welcome_expired.html", status=410)
