"""The console's support access: open a town's site as support while the town allows it."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from accounts.models import User
from ops import support_access
from ops.site import ops_site
from tenants.addresses import town_url
from tenants.models import Collectivite


@require_POST
def open_as_support(request: HttpRequest, pk: int) -> HttpResponse:
    """A short-lived token bound to the town's schema and its live grant, then off to its site.

    The use is recorded there, page by page, not here: following the link is what counts.
    """
    tenant = get_object_or_404(Collectivite, pk=pk)
    try:
        token = support_access.entry_token(tenant, cast(User, request.user))
    except support_access.SupportRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("ops:tenant", tenant.pk)
    query = urlencode({"token": token})
    return HttpResponseRedirect(town_url(tenant.slug, f"/support/entrer/?{query}"))


urlpatterns: list[URLPattern] = [
    path(
        "collectivites/<int:pk>/support/",
        ops_site.admin_view(open_as_support),
        name="open_as_support",
    ),
]
