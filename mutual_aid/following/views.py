"""The "what I follow" page: the categories and places whose new posts a resident hears of."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from mutual_aid.access import module_required
from mutual_aid.following import services
from mutual_aid.following.forms import FollowingForm


@never_cache
@module_required
@login_required
def following(request: HttpRequest) -> HttpResponse:
    current = services.subscription_of(request.user)  # type: ignore[arg-type]
    initial = (
        {
            "categories": list(current.categories.all()),
            "neighbourhoods": list(current.neighbourhoods.all()),
        }
        if current
        else {}
    )
    form = FollowingForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_subscription(
            request.user,  # type: ignore[arg-type]
            categories=form.cleaned_data["categories"],
            neighbourhoods=form.cleaned_data.get("neighbourhoods", []),
        )
        if form.cleaned_data["categories"]:
            messages.success(request, _("Saved. You will hear of the new posts you chose."))
        else:
            messages.success(request, _("Saved. You follow no category for now."))
        return redirect("mutual_aid:following")
    status = 400 if form.is_bound else 200
    return render(request, "mutual_aid/following/following.html", {"form": form}, status=status)
