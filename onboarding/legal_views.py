"""The public site's legal pages: the legal notice, and each legal text in each of its versions."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onboarding import legal


@require_GET
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "onboarding/legal/notice.html", legal.document_context())


@require_GET
def document(request: HttpRequest, slug: str, version: str | None = None) -> HttpResponse:
    """A legal text: its current version, or the one asked for (what someone accepted)."""
    found = legal.DOCUMENTS.get(slug)
    if found is None:
        raise Http404
    shown = found.version(version) if version else found.current
    if shown is None:
        raise Http404
    context = {
        **legal.document_context(),
        "document": found,
        "shown": shown,
        "is_current": shown == found.current,
    }
    return render(request, "onboarding/legal/document.html", context)


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return document(request, legal.PRIVACY.slug)
