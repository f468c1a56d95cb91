"""A consultation's open-data downloads (CSV, XLSX, JSON): for staff at any time (with their
page), and for whoever may see the consultation once the town published its results."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from participation.consultations import exports
from participation.consultations.access import get_consultation_for, module_required
from participation.consultations.models import ConsultationResponse
from participation.consultations.staff_views import get_for_staff, staff

PAPER = ConsultationResponse.Channel.PAPER


@staff
@require_GET
def open_data_page(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    counts = consultation.responses.aggregate(
        total=Count("pk"), paper=Count("pk", filter=Q(channel=PAPER))
    )
    context = {
        "consultation": consultation,
        "counts": counts,
        "licence_name": exports.LICENCE_NAME,
        "licence_url": exports.LICENCE_URL,
    }
    return render(request, "participation/consultations/staff/open_data.html", context)


@staff
@require_GET
def download(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    writer = exports.FORMATS.get(extension)
    if writer is None:
        raise Http404
    return writer(exports.open_data(get_for_staff(pk)))


@require_GET
@module_required
def public_download(request: HttpRequest, key: str, extension: str) -> HttpResponse:
    """The same files, once the results are published: until then, not found."""
    writer = exports.FORMATS.get(extension)
    consultation = get_consultation_for(request.user, key)
    if writer is None or consultation.results_published_at is None:
        raise Http404
    return writer(exports.open_data(consultation))
