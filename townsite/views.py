"""A town's home page (its site's look comes from townsite.setup's context processor; what is
happening in each module comes from the blocks the modules register, townsite.home_blocks)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from townsite.home_blocks import rendered_blocks


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "townsite/home.html", {"blocks": rendered_blocks(request)})
