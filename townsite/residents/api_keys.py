"""The resident's API keys page (/mon-compte/api/): make a key, see it once, revoke it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.api import tokens
from accounts.models import User


class NewKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the key"),
        help_text=gettext_lazy("What it is for, so you recognise it: “My phone”, “Spreadsheet”."),
        max_length=80,
    )


def _page(
    request: HttpRequest, form: NewKeyForm, *, fresh_key: str = "", status: int = 200
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "townsite/residents/api_keys.html",
        {"form": form, "keys": tokens.tokens_of(user), "fresh_key": fresh_key},
        status=status,
    )


@never_cache
@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, NewKeyForm())
    form = NewKeyForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        _token, clear = tokens.create_token(
            request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
        )
    except tokens.TokenError as error:
        form.add_error(None, error.message)
        return _page(request, form, status=400)
    # Shown in this answer only: the key is stored nowhere in clear, not even in the session.
    return _page(request, NewKeyForm(), fresh_key=clear)


@login_required
@require_POST
def revoke_api_key(request: HttpRequest, pk: int) -> HttpResponse:
    token = tokens.revoke_token(request.user, pk)  # type: ignore[arg-type]
    messages.success(
        request, _("The key “%(name)s” is revoked: it no longer works.") % {"name": token.name}
    )
    return redirect("townsite:api_keys")
