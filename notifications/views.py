"""The resident's notifications: the list, opening one, and the email preferences.

Thin views: each finds what belongs to the signed-in person (or 404) and calls one service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from notifications import kinds, preferences, services
from notifications.emails import read_unsubscribe_token
from notifications.forms import PreferencesForm
from notifications.models import Notification

PAGE_SIZE = 20


def _safe_path(url: str) -> str | None:
    """A path on this site, or None: never another host, scheme or protocol-relative URL."""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        return None  # a browser drops tabs and line breaks, making "/\t/evil" "//evil"
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return None
    return url


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    notifications = Notification.objects.filter(recipient=user).only(
        "pk", "title", "body", "created_at", "read_at", "kind"
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    notification = get_object_or_404(Notification, pk=pk, recipient=user)
    services.mark_read(notification)
    return redirect(_safe_path(notification.url) or "notifications:list")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(request.user)  # type: ignore[arg-type]
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:list")


@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PreferencesForm(
        preferences.kinds_for(user),
        preferences.frequencies(user),
        request.POST if request.method == "POST" else None,
    )
    if form.is_bound and form.is_valid():
        changed = preferences.set_frequencies(user, form.wanted())
        if changed:
            messages.success(request, _("Your email preferences are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


# A mail client's one-click unsubscribe (RFC 8058) POSTs without our CSRF cookie; the signed
# token, made for this town, this person and these kinds, is what authorises the change.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    asked = read_unsubscribe_token(token)
    user = (
        User.objects.filter(pk=asked.user_id, is_active=True).first() if asked is not None else None
    )
    if asked is None or user is None:
        raise Http404
    allowed = {kind.code for kind in preferences.kinds_for(user)}
    codes = [code for code in asked.kind_codes if code in allowed]
    if not codes:
        raise Http404
    labels = [str(kinds.get(code).label) for code in codes]
    # A GET only asks: mail scanners follow links, and must not unsubscribe anybody.
    if request.method == "POST":
        preferences.unsubscribe(user, codes)
        return render(request, "notifications/unsubscribed.html", {"labels": labels})
    return render(request, "notifications/unsubscribe.html", {"labels": labels, "token": token})
