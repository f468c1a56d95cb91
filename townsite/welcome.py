"""The signer's way into their new site, right after its creation (one use, 15 minutes)."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth import login
from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import tokens
from accounts.models import User
from onboarding.services import WELCOME_PURPOSE, WELCOME_VALIDITY

SETUP_WIZARD = "/administration/configuration/"


def welcome(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = tokens.unsign(token, purpose=WELCOME_PURPOSE, max_age=WELCOME_VALIDITY)
    except signing.SignatureExpired:
        return _expired(request)
    except signing.BadSignature:
        # Signed for another town's schema (or tampered with): as unknown as any other link.
        raise Http404 from None
    used_key = "welcome-used:" + hashlib.sha256(token.encode()).hexdigest()
    if not cache.add(used_key, True, timeout=int(WELCOME_VALIDITY.total_seconds()) * 2):
        return _expired(request)
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None:
        raise Http404
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request,
        _("Your site is ready! Choose a password first (My account), then set up your site."),
    )
    return redirect(SETUP_WIZARD)


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, "townsite/welcome_expired.html", status=410)
