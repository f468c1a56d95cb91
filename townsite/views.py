"""A town's home page (its site's look comes from townsite.setup's context processor; what is
happening in each module comes from the blocks the modules register, townsite.home_blocks)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from townsite.home_blocks import rendered_blocks


def home(request: HttpRequest) -> HttpResponse:
    # Called by the template (Django calls a callable variable): the modules' blocks are built
    # while the page renders, and not at all when rendering fails first (the 500 page).
    return render(request, "townsite/home.html", {"blocks": lambda: rendered_blocks(request)})
