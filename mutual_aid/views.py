"""Mutual aid pages: browse and search, a post, its photos."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from mutual_aid import list_cache, queries
from mutual_aid.access import get_post_for, module_required, posts_for
from mutual_aid.models import HelpLine, Photo
from townsite.models import Neighbourhood


@require_GET
@module_required
@login_required
def post_list(request: HttpRequest) -> HttpResponse:
    filters = queries.Filters.from_query(request.GET)
    number = request.GET.get("page", "")

    def render_results() -> str:
        page = queries.page_of(queries.browse(request.user, filters), number)
        context = {"page": page, "filters": filters}
        # Without the request: nothing of the viewer may reach a page shared by all.
        return render_to_string("mutual_aid/_results.html", context)

    def render_filters() -> str:
        context = {
            "filters": filters,
            "categories": queries.enabled_categories(),
            "neighbourhoods": list(Neighbourhood.objects.all()),
            "is_intercommunalite": request.tenant.is_intercommunalite,  # type: ignore[attr-defined]
        }
        return render_to_string("mutual_aid/_filters.html", context)

    # The same for every member (see mutual_aid.list_cache): rendered once for all of them.
    results = f"{filters!r} page={number}"
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(list_cache.fragments({results: render_results})[results])
    form = f"form {filters!r}"
    shown = list_cache.fragments({results: render_results, form: render_filters})
    context = {"results": shown[results], "filters_form": shown[form]}
    return render(request, "mutual_aid/list.html", context)


@require_GET
@module_required
@login_required
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_post_for(request.user, pk)
    sensitive = post.category.sensitive
    context = {
        "post": post,
        "photos": list(post.photos.all()),
        "help_lines": list(HelpLine.objects.filter(enabled=True)) if sensitive else [],
    }
    return render(request, "mutual_aid/detail.html", context)


@require_GET
@module_required
@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A post's photo, only to who may see the post (never a public media URL)."""
    found = get_object_or_404(Photo.objects.filter(post__in=posts_for(request.user)), pk=pk)
    try:
        handle = found.image.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(handle, content_type=_content_type(found.image.name or ""))
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _content_type(name: str) -> str:
    return {"png": "image/png", "webp": "image/webp"}.get(name.rsplit(".", 1)[-1], "image/jpeg")
