"""The admin dashboard and the set-up wizard (one page per step), plus the town's logo.

Thin views: a form parses the input, one service of `townsite.setup.services` writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.models import BillingAccount
from tenants import schema
from tenants.models import Epci
from townsite.models import DEFAULT_PRIMARY_COLOUR, Neighbourhood, TownProfile
from townsite.setup import queries, services
from townsite.setup.contrast import normalise_hex
from townsite.setup.forms import (
    CharterForm,
    ContactForm,
    LookForm,
    MemberCommuneForm,
    ModulesForm,
    NeighbourhoodForm,
    RenameNeighbourhoodForm,
    WelcomeForm,
)
from townsite.setup.guards import town_admin_with_password
from townsite.setup.logos import content_type

GET_POST = ("GET", "POST")


@dataclass(frozen=True)
class Step:
    url_name: str
    title: str | Promise


STEPS = (
    Step("townsite:setup_look", gettext_lazy("Logo and colour")),
    Step("townsite:setup_welcome", gettext_lazy("Welcome text")),
    Step("townsite:setup_neighbourhoods", gettext_lazy("Neighbourhoods")),
    Step("townsite:setup_modules", gettext_lazy("Modules")),
    Step("townsite:setup_contact", gettext_lazy("Contact details")),
    Step("townsite:setup_charter", gettext_lazy("Moderation charter")),
)
_STEP_NAMES = [step.url_name for step in STEPS]


def _step_context(request: HttpRequest, url_name: str) -> dict[str, Any]:
    index = _STEP_NAMES.index(url_name)
    return {
        "step": STEPS[index],
        "step_number": index + 1,
        "step_count": len(STEPS),
        "back_url": reverse(STEPS[index - 1].url_name if index else "townsite:dashboard"),
    }


def _after(url_name: str) -> HttpResponse:
    index = _STEP_NAMES.index(url_name)
    if index + 1 < len(STEPS):
        return redirect(STEPS[index + 1].url_name)
    return redirect("townsite:setup_summary")


# --- Dashboard ----------------------------------------------------------------------------


@town_admin_with_password
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    tenant = schema.request_tenant(request)
    profile = queries.current_profile()
    checklist = queries.setup_checklist(profile)
    return render(
        request,
        "townsite/setup/dashboard.html",
        {
            "town": tenant,
            "account": BillingAccount.objects.filter(collectivite_id=tenant.pk).first(),
            "profile": profile,
            "checklist": checklist,
            "done_count": sum(item.done for item in checklist),
        },
    )


@town_admin_with_password
@require_GET
def setup(request: HttpRequest) -> HttpResponse:
    return redirect(STEPS[0].url_name)


# --- Steps made of one form ---------------------------------------------------------------


def _form_step(
    request: HttpRequest,
    url_name: str,
    form_class: type[forms.Form],
    initial: dict[str, Any],
    save: Callable[[dict[str, Any]], object],
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except services.SetupError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Saved."))
                return _after(url_name)
        status = 400
    else:
        form = form_class(initial=initial)
    template = "townsite/setup/step_" + url_name.removeprefix("townsite:setup_") + ".html"
    context = {**_step_context(request, url_name), "form": form, **(extra or {})}
    return render(request, template, context, status=status)


@town_admin_with_password
@require_http_methods(GET_POST)
def setup_look(request: HttpRequest) -> HttpResponse:
    profile = queries.current_profile()
    return _form_step(
        request,
        "townsite:setup_look",
        LookForm,
        {
            "primary_colour": profile.primary_colour,
            "colour_picker": profile.primary_colour,
            "shown_colour": profile.primary_colour,
        },
        lambda data: services.save_look(
            by=request.user,  # type: ignore[arg-type]
            primary_colour=data["primary_colour"],
            logo=data["logo"],
            remove_logo=data["remove_logo"],
        ),
        {"logo_url": queries.logo_url(profile.logo.name or "")},
    )


@town_admin_with_password
@require_http_methods(GET_POST)
def setup_welcome(request: HttpRequest) -> HttpResponse:
    profile = queries.current_profile()
    return _form_step(
        request,
        "townsite:setup_welcome",
        WelcomeForm,
        {"welcome_text": profile.welcome_text},
        lambda data: services.save_welcome_text(data["welcome_text"], by=request.user),  # type: ignore[arg-type]
    )


@town_admin_with_password
@require_http_methods(GET_POST)
def setup_modules(request: HttpRequest) -> HttpResponse:
    profile = queries.current_profile()
    return _form_step(
        request,
        "townsite:setup_modules",
        ModulesForm,
        {
            "mutual_aid": profile.mutual_aid_enabled,
            "consultations": profile.consultations_enabled,
            "ideas": profile.ideas_enabled,
        },
        lambda data: services.save_modules(
            by=request.user,  # type: ignore[arg-type]
            mutual_aid=data["mutual_aid"],
            consultations=data["consultations"],
            ideas=data["ideas"],
        ),
    )


@town_admin_with_password
@require_http_methods(GET_POST)
def setup_contact(request: HttpRequest) -> HttpResponse:
    profile = queries.current_profile()
    return _form_step(
        request,
        "townsite:setup_contact",
        ContactForm,
        {
            "address": profile.contact_address,
            "phone": profile.contact_phone,
            "email": profile.contact_email,
            "website": profile.contact_website,
            "opening_hours": profile.opening_hours,
        },
        lambda data: services.save_contact(by=request.user, **data),  # type: ignore[arg-type]
    )


@town_admin_with_password
@require_http_methods(GET_POST)
def setup_charter(request: HttpRequest) -> HttpResponse:
    profile = queries.current_profile()
    return _form_step(
        request,
        "townsite:setup_charter",
        CharterForm,
        {"charter": profile.charter},
        lambda data: services.save_charter(data["charter"], by=request.user),  # type: ignore[arg-type]
    )


# --- Neighbourhoods (several small forms on one step) -------------------------------------

STEP_NEIGHBOURHOODS = "townsite:setup_neighbourhoods"


def _epci(request: HttpRequest) -> Epci | None:
    return queries.epci_of(schema.request_tenant(request))


def _neighbourhoods_page(
    request: HttpRequest,
    *,
    add_form: NeighbourhoodForm | None = None,
    renamed: tuple[int, RenameNeighbourhoodForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = []
    for neighbourhood in queries.neighbourhoods():
        if renamed is not None and renamed[0] == neighbourhood.pk:
            form = renamed[1]
        else:
            form = RenameNeighbourhoodForm(
                prefix=f"n{neighbourhood.pk}", initial={"name": neighbourhood.name}
            )
        rows.append((neighbourhood, form))
    epci = _epci(request)
    context = {
        **_step_context(request, STEP_NEIGHBOURHOODS),
        "rows": rows,
        "add_form": add_form or NeighbourhoodForm(),
        "epci": epci,
        "communes_to_add": queries.member_communes_to_add(epci) if epci else [],
        "next_url": reverse("townsite:setup_modules"),
    }
    return render(request, "townsite/setup/step_neighbourhoods.html", context, status=status)


@town_admin_with_password
@require_http_methods(GET_POST)
def setup_neighbourhoods(request: HttpRequest) -> HttpResponse:
    """The list; a POST adds one."""
    if request.method == "GET":
        return _neighbourhoods_page(request)
    form = NeighbourhoodForm(request.POST)
    if form.is_valid():
        try:
            added = services.add_neighbourhood(form.cleaned_data["name"], by=request.user)  # type: ignore[arg-type]
        except services.SetupError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("“%(name)s” is added.") % {"name": added.name})
            return redirect(STEP_NEIGHBOURHOODS)
    return _neighbourhoods_page(request, add_form=form, status=400)


@town_admin_with_password
@require_POST
def setup_add_communes(request: HttpRequest) -> HttpResponse:
    """For an intercommunalité: one member commune (its INSEE code is posted), or all."""
    epci = _epci(request)
    if epci is None:
        raise Http404
    form = MemberCommuneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please try again."))
        return redirect(STEP_NEIGHBOURHOODS)
    try:
        if form.cleaned_data["insee_code"]:
            added = services.add_member_commune(
                epci,
                form.cleaned_data["insee_code"],
                by=request.user,  # type: ignore[arg-type]
            )
            messages.success(request, _("“%(name)s” is added.") % {"name": added.name})
        else:
            count = services.add_member_communes(epci, by=request.user)  # type: ignore[arg-type]
            messages.success(request, _("Member communes added: %(count)s.") % {"count": count})
    except services.SetupError as error:
        messages.error(request, str(error))
    return redirect(STEP_NEIGHBOURHOODS)


@town_admin_with_password
@require_POST
def setup_rename_neighbourhood(request: HttpRequest, pk: int) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, pk=pk)
    form = RenameNeighbourhoodForm(request.POST, prefix=f"n{pk}")
    if form.is_valid():
        try:
            services.rename_neighbourhood(
                neighbourhood,
                form.cleaned_data["name"],
                by=request.user,  # type: ignore[arg-type]
            )
        except services.SetupError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("The name is changed."))
            return redirect(STEP_NEIGHBOURHOODS)
    return _neighbourhoods_page(request, renamed=(pk, form), status=400)


@town_admin_with_password
@require_http_methods(GET_POST)
def setup_remove_neighbourhood(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page first: it says how many residents chose this neighbourhood."""
    neighbourhood = get_object_or_404(queries.neighbourhoods(), pk=pk)
    if request.method == "POST":
        detached = services.remove_neighbourhood(neighbourhood, by=request.user)  # type: ignore[arg-type]
        text = _("“%(name)s” is removed.") % {"name": neighbourhood.name}
        if detached:
            text += " " + _("Its residents keep their accounts, with no neighbourhood for now.")
        messages.success(request, text)
        return redirect(STEP_NEIGHBOURHOODS)
    return render(
        request,
        "townsite/setup/neighbourhood_remove.html",
        {"neighbourhood": neighbourhood, **_step_context(request, STEP_NEIGHBOURHOODS)},
    )


# --- Summary ------------------------------------------------------------------------------


@town_admin_with_password
@require_http_methods(GET_POST)
def setup_summary(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.complete_setup(by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Your site is set up. You can change these settings any time."))
        return redirect("townsite:dashboard")
    profile = queries.current_profile()
    return render(
        request,
        "townsite/setup/summary.html",
        {
            "profile": profile,
            "logo_url": queries.logo_url(profile.logo.name or ""),
            "colour": normalise_hex(profile.primary_colour) or DEFAULT_PRIMARY_COLOUR,
            "neighbourhoods": queries.neighbourhoods(),
            "steps": STEPS,
            "back_url": reverse(STEPS[-1].url_name),
        },
    )


# --- The logo, served to every visitor of the town's site ---------------------------------


@require_GET
def logo(request: HttpRequest) -> FileResponse:
    """From this town's own storage: Django does not serve /media/ in production."""
    profile: TownProfile = queries.current_profile()
    if not profile.logo:
        raise Http404
    try:
        handle = profile.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type(profile.logo.name or ""))
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
