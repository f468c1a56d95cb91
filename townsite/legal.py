"""A town's legal pages: its legal notice and its privacy policy (the town is the controller of
its residents' data, Placette its processor)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from onboarding import legal
from onboarding.models import LegalAcceptance
from tenants import schema
from tenants.addresses import root_url
from townsite.models import TownProfile

# The date of the current wording of the town pages below (a change is a new date).
TOWN_PAGES_UPDATED = date(2026, 12, 1)


def _context(request: HttpRequest) -> dict[str, object]:
    town = schema.request_tenant(request)
    agreement = (
        LegalAcceptance.objects.filter(
            collectivite_id=town.pk, document=legal.PROCESSING_AGREEMENT.key
        )
        .order_by("-accepted_at")
        .first()
    )
    document = legal.PROCESSING_AGREEMENT
    version = document.version(agreement.version) if agreement else None
    return {
        **legal.document_context(),
        "town": town,
        "profile": TownProfile.load(),
        "agreement": agreement,
        "agreement_version": version,
        "agreement_url": root_url(
            reverse(
                "legal_document_version",
                args=[document.slug, (version or document.current).id],
                urlconf=settings.PUBLIC_SCHEMA_URLCONF,
            )
        ),
        "updated": TOWN_PAGES_UPDATED,
    }


@require_GET
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "townsite/legal_notice.html", _context(request))


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "townsite/privacy.html", _context(request))
