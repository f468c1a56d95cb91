"""The root domain's home, and the trial sign-up wizard: find your collectivité, say who you are,
confirm by email."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import ratelimit
from billing.models import Plan
from onboarding import directory, services
from onboarding.forms import ContactTownForm, SearchForm, TrialForm
from tenants.models import Collectivite
from tenants.network import client_ip

# Each request sends an email: a few an hour per address is plenty for a person, and keeps the
# form from being used to flood mailboxes.
REQUESTS_PER_HOUR = 5
TOO_MANY = gettext_lazy("Too many requests from your connection. Please try again in an hour.")


def _allowed(request: HttpRequest, action: str) -> bool:
    key = f"onboarding:{action}:{client_ip(request)}"
    # Fails closed: uncounted, the form would send mail to any address typed, without end.
    return ratelimit.hit(key, limit=REQUESTS_PER_HOUR, window_seconds=3600, fail_open=False)


def home(request: HttpRequest) -> HttpResponse:
    """The public home: what Placette is, its prices, the way to a free trial."""
    towns = Collectivite.objects.filter(status=Collectivite.Status.READY).count()
    plans = Plan.objects.filter(is_active=True)
    return render(request, "onboarding/home.html", {"town_count": towns, "plans": plans})


def start(request: HttpRequest) -> HttpResponse:
    """Step 1: find the collectivité (works without JavaScript; htmx refreshes the results)."""
    form = SearchForm(request.GET)
    query = form.data.get("q", "").strip()
    results = directory.search(query) if query else directory.Results()
    context = {"form": form, "query": query, "results": results}
    if request.headers.get("HX-Request"):
        return render(request, "onboarding/_results.html", context)
    return render(request, "onboarding/start.html", context)


@require_http_methods(["GET", "POST"])
def choose(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    """Step 2: who you are and the site's address; sends the confirmation email."""
    entry = directory.find(kind, code)
    if entry is None:
        raise Http404
    existing = services.on_placette(entry)
    if existing:
        return render(
            request,
            "onboarding/already_there.html",
            {"entry": entry, "town": existing, "form": ContactTownForm()},
        )
    if request.method == "POST":
        form = TrialForm(request.POST)
        if form.is_valid() and not _allowed(request, "trial-request"):
            form.add_error(None, TOO_MANY)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                signup = services.request_trial(
                    entry=entry,
                    slug=data["slug"],
                    signer_name=data["signer_name"],
                    signer_role=data["signer_role"],
                    signer_role_other=data["signer_role_other"],
                    email=data["email"],
                    phone=data["phone"],
                )
            except services.SignupError as error:
                form.add_error(None, str(error))
            else:
                request.session["onboarding_email"] = signup.email
                return redirect("onboarding:sent")
        status = 400
    else:
        form = TrialForm(initial={"slug": services.proposed_slug(entry)})
        status = 200
    context = {
        "entry": entry,
        "form": form,
        "epci_town": services.epci_on_placette(entry),
        "members": directory.member_communes(entry.code) if entry.is_intercommunalite else [],
    }
    return render(request, "onboarding/choose.html", context, status=status)


@require_http_methods(["POST"])
def contact_town(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    entry = directory.find(kind, code)
    town = services.on_placette(entry) if entry else None
    if entry is None or town is None:
        raise Http404
    form = ContactTownForm(request.POST)
    if form.is_valid() and not _allowed(request, "contact-town"):
        form.add_error(None, TOO_MANY)
    if not form.is_valid():
        return render(
            request,
            "onboarding/already_there.html",
            {"entry": entry, "town": town, "form": form},
            status=400,
        )
    services.contact_existing_town(town=town, **form.cleaned_data)
    messages.success(
        request, _("Your message was sent to the administrators of %(name)s.") % {"name": town.name}
    )
    return redirect("home")


def sent(request: HttpRequest) -> HttpResponse:
    return render(
        request, "onboarding/sent.html", {"email": request.session.get("onboarding_email", "")}
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the email. GET shows a button (mail scanners must not create sites)."""
    signup = services.find_request(token)
    if request.method == "GET":
        if signup is None:
            return render(
                request,
                "onboarding/link_problem.html",
                {"message": _("This link is unknown. Check that you copied all of it.")},
                status=404,
            )
        return render(request, "onboarding/confirm.html", {"signup": signup})
    try:
        _town, welcome_url = services.confirm_trial(token)
    except services.SignupError as error:
        status = 410 if signup is not None else 404
        return render(
            request,
            "onboarding/link_problem.html",
            {"message": str(error), "signup": signup},
            status=status,
        )
    return redirect(welcome_url)
