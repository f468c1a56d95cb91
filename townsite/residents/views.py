"""Residents join: the desk pages, the first login with a code, and the resident's own account.

Thin views: a form reads the input, one service writes, the page renders or redirects.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import town_staff_required
from tenants import schema
from tenants.addresses import current_site_url
from tenants.network import client_ip
from townsite.residents import access, codes, services
from townsite.residents.export import build_export
from townsite.residents.forms import (
    NEIGHBOURHOOD_FIELD,
    ChoosePasswordForm,
    DeleteAccountForm,
    DeskRegistrationForm,
    LoginCodeForm,
    ResidentSearchForm,
)
from townsite.residents.placeholders import is_placeholder_email

PAGE_SIZE = 50
# The code in clear, kept in the agent's session between creating it and showing the sheet once.
FRESH_CODE_KEY = "residents:fresh_code"
# The code checked at the first step of a first login, until the password is chosen.
PENDING_LOGIN_KEY = "residents:code_login"


def _posted(request: HttpRequest) -> Any:
    # An empty POST is still a submission (a box left unticked), not a first display.
    return request.POST if request.method == "POST" else None


# --- The town hall desk -------------------------------------------------------------------


@town_staff_required
def residents(request: HttpRequest) -> HttpResponse:
    search = ResidentSearchForm(request.GET or None)
    name = search.cleaned_data["q"].strip() if search.is_valid() else ""
    people = access.residents_for(request.user, name=name)  # type: ignore[arg-type]
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "townsite/residents/list.html",
        {
            "search": search,
            "name": name,
            "page": page,
        },
    )


@town_staff_required
def assisted_signup(request: HttpRequest) -> HttpResponse:
    form = DeskRegistrationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        registration = services.register_at_desk(
            request.user,  # type: ignore[arg-type]
            display_name=data["display_name"],
            neighbourhood=data.get(NEIGHBOURHOOD_FIELD),
            phone=data["phone"],
            email=data["email"],
            verified=data["verified_in_person"],
        )
        request.session[FRESH_CODE_KEY] = {"user": registration.user.pk, "code": registration.code}
        messages.success(request, _("The account is created. Print this sheet for the person."))
        return redirect("townsite:welcome_sheet", user_id=registration.user.pk)
    return render(
        request,
        "townsite/residents/assisted_signup.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@never_cache
@town_staff_required
def welcome_sheet(request: HttpRequest, user_id: int) -> HttpResponse:
    profile = access.get_desk_resident_for(request.user, user_id)  # type: ignore[arg-type]
    fresh = request.session.get(FRESH_CODE_KEY) or {}
    code = None
    if fresh.get("user") == profile.user_id:
        # Shown once: reloading the sheet later shows everything but the code.
        code = codes.display(fresh["code"])
        del request.session[FRESH_CODE_KEY]
    user = profile.user
    return render(
        request,
        "townsite/residents/welcome_sheet.html",
        {
            "profile": profile,
            "resident": user,
            "code": code,
            "code_pending": bool(profile.login_code_hash)
            and profile.login_code_expires_at is not None
            and profile.login_code_expires_at > timezone.now(),
            "email": None if is_placeholder_email(user.email) else user.email,
            # Printed, so the town's own address, whatever Host the agent's browser sent.
            "site_url": current_site_url("/"),
            "first_login_url": current_site_url(resolve_url("townsite:code_login")),
        },
    )


@town_staff_required
@require_POST
def regenerate_code(request: HttpRequest, user_id: int) -> HttpResponse:
    profile = access.get_desk_resident_for(request.user, user_id)  # type: ignore[arg-type]
    code = services.issue_new_login_code(request.user, profile)  # type: ignore[arg-type]
    request.session[FRESH_CODE_KEY] = {"user": profile.user_id, "code": code}
    messages.success(request, _("A new code is ready. The previous code no longer works."))
    return redirect("townsite:welcome_sheet", user_id=profile.user_id)


# --- First login with the code of the welcome sheet ----------------------------------------


@never_cache
def code_login(request: HttpRequest) -> HttpResponse:
    form = LoginCodeForm(_posted(request))
    if request.method == "POST":
        typed = codes.normalise(request.POST.get("code", ""))
        if not codes.register_attempt(client_ip(request), typed):
            return render(
                request,
                "townsite/residents/code_login.html",
                {
                    "form": LoginCodeForm(initial={"code": request.POST.get("code", "")}),
                    "too_many_attempts": True,
                },
                status=429,
            )
        if form.is_valid():
            request.session[PENDING_LOGIN_KEY] = {
                "profile": form.profile.pk,
                "hash": form.profile.login_code_hash,
            }
            return redirect("townsite:code_login_password")
    return render(
        request,
        "townsite/residents/code_login.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@never_cache
def code_login_password(request: HttpRequest) -> HttpResponse:
    pending: dict[str, Any] = request.session.get(PENDING_LOGIN_KEY) or {}
    profile = (
        access.pending_code_login(pending["profile"], pending["hash"])
        if pending.get("profile") and pending.get("hash")
        else None
    )
    if profile is None:
        request.session.pop(PENDING_LOGIN_KEY, None)
        messages.error(request, _("Please type your code first."))
        return redirect("townsite:code_login")
    form = ChoosePasswordForm(
        profile.user, _posted(request), needs_charter=profile.charter_accepted_at is None
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.set_password_with_code(
                profile.pk,
                code_hash=pending["hash"],
                password=form.cleaned_data["password1"],
                accept_charter=bool(form.cleaned_data.get("charter")),
            )
        except services.ResidentError as error:
            request.session.pop(PENDING_LOGIN_KEY, None)
            messages.error(request, error.message)
            return redirect("townsite:code_login")
        request.session.pop(PENDING_LOGIN_KEY, None)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your password is saved."))
        messages.info(
            request,
            _("The next times, log in with your login name, %(login_name)s, and your password.")
            % {"login_name": user.login_name},
        )
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(
        request,
        "townsite/residents/code_login_password.html",
        {"form": form, "resident": profile.user},
        status=400 if form.is_bound else 200,
    )


# --- The resident's own account -----------------------------------------------------------


@login_required
def my_account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "townsite/residents/my_account.html",
        {
            "email": None if is_placeholder_email(user.email) else user.email,
            "email_verified": EmailAddress.objects.filter(
                user=user, email__iexact=user.email, verified=True
            ).exists(),
            "has_password": user.has_usable_password(),
        },
    )


@never_cache
@login_required
def export_my_data(request: HttpRequest) -> HttpResponse:
    tenant = schema.request_tenant(request)
    response = JsonResponse(
        build_export(request.user),  # type: ignore[arg-type]
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    filename = f"mes-donnees-{tenant.slug}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def delete_my_account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = DeleteAccountForm(user, _posted(request))
    last_admin = access.is_last_admin(user)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_account(user)
        except services.ResidentError as error:
            form.add_error(None, error.message)
        else:
            logout(request)
            messages.success(request, _("Your account is deleted. Goodbye!"))
            return redirect("home")
    return render(
        request,
        "townsite/residents/delete_account.html",
        {"form": form, "last_admin": last_admin},
        status=400 if form.is_bound else 200,
    )
