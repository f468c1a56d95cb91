"""Staff's open-data page of a consultation and its downloads (CSV, XLSX, JSON)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from participation.consultations import exports
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
