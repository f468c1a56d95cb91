"""The root domain's home, and the trial sign-up wizard: find your collectivité, say who you are,
confirm by email."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import ratelimit
from billing.models import Plan
from onboarding import directory, legal, services
from onboarding.forms import ClaimForm, ContactTownForm, SearchForm, TrialForm
from onboarding.models import SignupRequest, SiteClaim
from tenants.addresses import town_url
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
    if existing and existing.is_verified:
        return render(
            request,
            "onboarding/already_there.html",
            {"entry": entry, "town": existing, "form": ContactTownForm()},
        )
    if existing and request.method == "POST":
        # The site opened between this person's page and their submit: theirs is a claim.
        return claim(request, kind, code)
    if existing:
        return _claim_page(request, entry, existing, ClaimForm())
    if request.method == "POST":
        form = TrialForm(request.POST)
        if form.is_valid() and not _allowed(request, "trial-request"):
            form.add_error(None, TOO_MANY)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                done = services.request_trial(
                    entry=entry,
                    slug=data["slug"],
                    signer=form.signer(),
                    terms_version=data["terms_version"],
                    dpa_version=data["dpa_version"],
                )
            except services.SignupError as error:
                form.add_error(error.field, str(error))
            else:
                return _after_request(request, done)
        status = 400
    else:
        form = TrialForm(initial={"slug": services.proposed_slug(entry)})
        status = 200
    context = {
        "entry": entry,
        "form": form,
        "epci_town": services.epci_on_placette(entry),
        "members": directory.member_communes(entry.code) if entry.is_intercommunalite else [],
        **legal.document_context(),
    }
    return render(request, "onboarding/choose.html", context, status=status)


def _after_request(request: HttpRequest, done: services.Requested) -> HttpResponse:
    if done.claim is not None:
        return _claim_recorded(request, done.claim)
    assert done.signup is not None
    request.session["onboarding_email"] = done.signup.email
    request.session["onboarding_resent"] = done.resent
    return redirect("onboarding:sent")


def _claim_recorded(request: HttpRequest, claim: SiteClaim) -> HttpResponse:
    request.session["onboarding_claim"] = claim.pk
    return redirect("onboarding:claim_recorded")


def _claim_page(
    request: HttpRequest,
    entry: directory.Entry,
    town: Collectivite,
    form: ClaimForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "onboarding/claim.html",
        {"entry": entry, "town": town, "form": form},
        status=status,
    )


@require_http_methods(["POST"])
def claim(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    """Someone else speaks for a collectivité whose site is not verified yet: we record it."""
    entry = directory.find(kind, code)
    town = services.on_placette(entry) if entry else None
    if entry is None or town is None:
        raise Http404
    if town.is_verified:
        return redirect("onboarding:choose", kind=kind, code=code)
    form = ClaimForm(request.POST)
    if form.is_valid() and not _allowed(request, "claim"):
        form.add_error(None, TOO_MANY)
    elif form.is_valid():
        try:
            recorded = services.claim_site(
                entry, town, form.signer(), message=form.cleaned_data["message"]
            )
        except services.SignupError as error:
            form.add_error(error.field, str(error))
        else:
            return _claim_recorded(request, recorded)
    return _claim_page(request, entry, town, form, status=400)


def claim_recorded(request: HttpRequest) -> HttpResponse:
    claim_id = request.session.get("onboarding_claim")
    recorded = SiteClaim.objects.filter(pk=claim_id).first() if claim_id else None
    if recorded is None:
        return redirect("onboarding:start")
    town = recorded.collectivite
    return render(
        request,
        "onboarding/claim_recorded.html",
        {"claim": recorded, "town": town, "pending": town is None},
    )


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
        request,
        "onboarding/sent.html",
        {
            "email": request.session.get("onboarding_email", ""),
            "resent": request.session.get("onboarding_resent", False),
        },
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the email. GET shows a button (mail scanners must not create sites)."""
    signup = services.find_request(token)
    if signup is None:
        return render(
            request,
            "onboarding/link_problem.html",
            {"message": _("This link is unknown. Check that you copied all of it.")},
            status=404,
        )
    if signup.status == SignupRequest.Status.CONFIRMED:
        return _site_exists(request, signup)
    if request.method == "GET":
        return render(request, "onboarding/confirm.html", {"signup": signup})
    try:
        _town, welcome_url = services.confirm_trial(token)
    except services.SignupError as error:
        signup.refresh_from_db()
        if signup.status == SignupRequest.Status.CONFIRMED:  # a second click won the race
            return _site_exists(request, signup)
        return render(
            request,
            "onboarding/link_problem.html",
            {"message": str(error), "signup": signup},
            status=410,
        )
    return redirect(welcome_url)


def _site_exists(request: HttpRequest, signup: SignupRequest) -> HttpResponse:
    """A link already used: its site exists; say where, and how to log in."""
    town = signup.collectivite
    serving = town is not None and town.is_serving
    context = {
        "signup": signup,
        "town": town if serving else None,
        "site_url": town_url(town.slug) if serving and town else "",
        "login_url": town_url(town.slug, reverse("account_login", urlconf=settings.ROOT_URLCONF))
        if serving and town
        else "",
    }
    return render(request, "onboarding/site_exists.html", context, status=410)
