"""A town's home page (its site's look comes from townsite.setup's context processor)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "townsite/home.html")
