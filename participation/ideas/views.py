"""The idea box's pages for residents: the list, an idea, submitting one, similar ideas while
typing, the image, supports and follows. Thin: a form parses, one service writes."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from participation.ideas import (
    comments,
    list_cache,
    list_overlay,
    queries,
    services,
    thread_overlay,
)
from participation.ideas.access import (
    NotAllowed,
    comments_for,
    ensure_may_contribute,
    get_idea_for,
    ideas_for,
    is_staff,
    module_required,
)
from participation.ideas.answers import next_statuses
from participation.ideas.forms import AnswerForm, CommentForm, IdeaForm, MergeForm
from participation.ideas.models import Idea, IdeaComment, IdeaFollow, IdeaSettings, IdeaSupport
from participation.ideas.moderation import COMMENT_KEY
from tenants import schema
from tenants.models import Collectivite
from townsite.models import Neighbourhood
from townsite.setup.logos import content_type


def _communes(request: HttpRequest) -> bool:
    return bool(getattr(schema.request_tenant(request), "is_intercommunalite", False))


def refused(request: HttpRequest, refusal: NotAllowed, status: int = 403) -> HttpResponse:
    return render(
        request, "participation/ideas/refused.html", {"message": refusal.message}, status=status
    )


@require_GET
@module_required
@login_required
def idea_list(request: HttpRequest) -> HttpResponse:
    filters = queries.Filters.from_query(request.GET)
    # One cached page per real page number, whatever is typed in the address.
    raw = request.GET.get("page", "")
    number = raw if raw.isdecimal() and len(raw) <= 6 else "1"
    threshold: list[int] = []

    def support_threshold() -> int:
        if not threshold:
            threshold.append(IdeaSettings.load().support_threshold)
        return threshold[0]

    # Rendered without the request: nothing of the viewer may reach a page shared by all.
    def render_results() -> list_overlay.SharedPage:
        page = queries.page_of(queries.browse(request.user, filters), number)
        context = {"page": page, "filters": filters, "threshold": support_threshold()}
        html = render_to_string("participation/ideas/_results.html", context)
        return list_overlay.shared_page(html, list(page.object_list))

    def render_filters() -> str:
        context = {
            "filters": filters,
            "sorts": [(key, label) for key, (label, _order) in queries.SORTS.items()],
            "statuses": [c for c in Idea.Status.choices if c[0] != Idea.Status.MERGED],
            "categories": queries.enabled_categories(),
            "neighbourhoods": list(Neighbourhood.objects.all()),
            "communes": _communes(request),
            "threshold": support_threshold(),
        }
        return render_to_string("participation/ideas/_filters.html", context)

    def render_supported() -> frozenset[int]:
        return list_overlay.supported_ideas(request.user)

    # The same for every member (see participation.ideas.list_cache), the viewer's own laid
    # over it (participation.ideas.list_overlay); theirs is kept under the same version.
    results = f"results {filters!r} page={number}"
    supported = f"supported by {request.user.pk}"
    if request.headers.get("HX-Request") == "true":
        found: dict[str, Any] = list_cache.shared(
            {results: render_results, supported: render_supported}
        )
        return HttpResponse(list_overlay.for_viewer(found[results], request.user, found[supported]))
    form = f"filters {filters!r}"
    shown: dict[str, Any] = list_cache.shared(
        {results: render_results, form: render_filters, supported: render_supported}
    )
    context = {
        "results": list_overlay.for_viewer(shown[results], request.user, shown[supported]),
        "filters_form": mark_safe(shown[form]),  # noqa: S308  # our own template's output
    }
    return render(request, "participation/ideas/list.html", context)


@require_GET
@module_required
@login_required
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    idea = get_idea_for(user, pk)
    return render(request, "participation/ideas/detail.html", detail_context(request, idea))


def detail_context(request: HttpRequest, idea: Idea, **extra: object) -> dict[str, object]:
    user = cast(User, request.user)
    form = cast(CommentForm | None, extra.pop("comment_form", None))
    # A reply is written in the thread's one form, with the comment it answers as its parent.
    wanted = str(form.data.get("parent", "")) if form is not None else ""
    replying_to = _replying_to(user, idea, wanted or request.GET.get("repondre", ""))
    if form is None:
        form = CommentForm(initial={"parent": replying_to.pk} if replying_to else None)
    shown_alike = {
        "idea": idea,
        # Reversed once for the whole thread (500 comments, 500 reverse() otherwise).
        "report_prefix": reverse(
            "townsite:report", kwargs={"kind": COMMENT_KEY, "target_id": 0}
        ).removesuffix("0/"),
        "edit_window": comments.EDIT_WINDOW,
    }
    context: dict[str, object] = {
        "idea": idea,
        "answers": list(idea.answers.select_related("author")),
        "thread": thread_overlay.thread_for(request, idea, shown_alike),
        "replying_to": replying_to,
        "supported": IdeaSupport.objects.filter(idea=idea, user=user).exists(),
        "following": IdeaFollow.objects.filter(idea=idea, user=user).exists(),
        "threshold": IdeaSettings.load().support_threshold,
        "comment_form": form,
        "is_staff": is_staff(user),
        "edit_window": comments.EDIT_WINDOW,
    }
    if is_staff(user) and not idea.is_merged:
        context["answer_form"] = AnswerForm(choices=next_statuses(idea))
        context["merge_form"] = MergeForm(prefix="merge")
    context.update(extra)
    return context


def _replying_to(user: User, idea: Idea, pk: str) -> IdeaComment | None:
    """The comment a reply answers, if this person may see and answer it."""
    if not pk.isdecimal() or not idea.is_open:
        return None
    return (
        comments_for(user)
        .filter(pk=int(pk), idea=idea, hidden_at__isnull=True, deleted_at__isnull=True)
        .select_related("author")
        .first()
    )


@require_http_methods(["GET", "POST"])
@module_required
@login_required
def new_idea(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    try:
        ensure_may_contribute(user)
        if schema.request_tenant(request).site_access != Collectivite.Access.FULL:
            # Said before anything is typed: the site would refuse the idea when it is sent.
            raise NotAllowed(_("This site is read only for now: nobody can post at the moment."))
    except NotAllowed as refusal:
        return refused(request, refusal)
    status = 200
    similar: list[Idea] = []
    checked = False
    if request.method == "POST" and request.POST.get("check"):
        # Only looking for similar ideas: nothing is checked or saved, everything stays.
        form = IdeaForm(initial=request.POST.dict(), communes=_communes(request))
        similar = queries.similar_ideas(user, request.POST.get("title", ""))
        checked = True
    elif request.method == "POST":
        form = IdeaForm(request.POST, request.FILES, communes=_communes(request))
        if form.is_valid():
            data = form.cleaned_data
            values = services.IdeaValues(
                title=data["title"],
                description=data["description"],
                category=data["category"],
                neighbourhood=data.get("neighbourhood"),
                image=form.checked_image,
                image_description=data.get("image_description", ""),
            )
            try:
                idea = services.submit_idea(user, values)
            except NotAllowed as refusal:
                form.add_error(None, refusal.message)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("image", message)
            else:
                messages.success(request, _("Thank you: your idea is published."))
                return redirect("ideas:detail", pk=idea.pk)
        status = 400
        similar = queries.similar_ideas(user, request.POST.get("title", ""))
    else:
        form = IdeaForm(communes=_communes(request))
    context = {"form": form, "similar": similar, "checked": checked}
    return render(request, "participation/ideas/new.html", context, status=status)


@require_GET
@module_required
@login_required
def similar(request: HttpRequest) -> HttpResponse:
    """The ideas like the title being typed (htmx fragment; a full page without JavaScript)."""
    found = queries.similar_ideas(request.user, request.GET.get("title", ""))
    return render(request, "participation/ideas/_similar.html", {"similar": found})


@require_GET
@module_required
@login_required
def image(request: HttpRequest, pk: int) -> FileResponse:
    """An idea's image, only to who may see the idea (never a public media URL)."""
    idea = ideas_for(request.user).filter(pk=pk).exclude(image="").first()
    if idea is None:
        raise Http404
    try:
        handle = idea.image.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(handle, content_type=content_type(idea.image.name or ""))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = cast(User, request.user)
    idea = get_idea_for(user, pk)
    try:
        if action == "support":
            services.support(user, idea)
            messages.success(request, _("Thank you: you support this idea."))
        elif action == "withdraw":
            if services.withdraw_support(user, idea):
                messages.success(request, _("Your support is withdrawn."))
        elif action == "follow":
            services.follow(user, idea)
            messages.success(request, _("You will be told when the town answers this idea."))
        else:
            services.unfollow(user, idea)
            messages.success(request, _("You no longer follow this idea."))
    except NotAllowed as refusal:
        messages.error(request, refusal.message)
        return redirect("ideas:detail", pk=idea.pk)
    return redirect("ideas:detail", pk=idea.pk)


@require_POST
@module_required
@login_required
def support(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "support")


@require_POST
@module_required
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "withdraw")


@require_POST
@module_required
@login_required
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "follow")


@require_POST
@module_required
@login_required
def unfollow(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "unfollow")
