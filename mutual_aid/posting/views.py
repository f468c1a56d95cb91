"""Pages for writing posts: choose what to post, the post form, edit, close, renew, delete, the
author's own list, and the renewal link of the expiry reminder. Thin: a form parses, one
service of `mutual_aid.posting.services` writes."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from mutual_aid import queries
from mutual_aid.access import NotAllowed, ensure_may_contribute, get_post_for, module_required
from mutual_aid.models import Post
from mutual_aid.posting import expiry, services
from mutual_aid.posting.forms import PostForm
from tenants import schema

GET_POST = ("GET", "POST")


def _communes(request: HttpRequest) -> bool:
    town = schema.request_tenant(request)
    return bool(getattr(town, "is_intercommunalite", False))


def _refused(request: HttpRequest, refusal: NotAllowed) -> HttpResponse:
    return render(
        request, "mutual_aid/posting/refused.html", {"message": refusal.message}, status=403
    )


@require_GET
@module_required
@login_required
def new_post(request: HttpRequest) -> HttpResponse:
    """The first step: offer or ask (lending, carpools and group purchases have their pages)."""
    try:
        ensure_may_contribute(request.user)
    except NotAllowed as refusal:
        return _refused(request, refusal)
    return render(request, "mutual_aid/posting/new.html")


@require_http_methods(GET_POST)
@module_required
@login_required
def new_offer(request: HttpRequest) -> HttpResponse:
    return _publish(request, Post.Kind.OFFER)


@require_http_methods(GET_POST)
@module_required
@login_required
def new_request(request: HttpRequest) -> HttpResponse:
    return _publish(request, Post.Kind.REQUEST)


def _publish(request: HttpRequest, kind: str) -> HttpResponse:
    user = cast(User, request.user)
    try:
        ensure_may_contribute(user)
    except NotAllowed as refusal:
        return _refused(request, refusal)
    status = 200
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES, communes=_communes(request))
        if form.is_valid():
            try:
                post = services.publish_post(
                    user, kind=kind, **form.post_values(), photos=form.new_photos()
                )
            except ValidationError as error:
                form.add_service_errors(error)
            except NotAllowed as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Your post is online."))
                return redirect("mutual_aid:detail", post.pk)
        status = 400
    else:
        form = PostForm(communes=_communes(request))
    return _form_page(request, form, status, kind=kind)


def _form_page(
    request: HttpRequest, form: PostForm, status: int, *, kind: str, post: Post | None = None
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "kind": kind,
        "post": post,
        # Files are not sent back to the browser: after an error, the person chooses them again.
        "photos_dropped": bool(request.FILES) and status != 200,
    }
    return render(request, "mutual_aid/posting/form.html", context, status=status)


@require_http_methods(GET_POST)
@module_required
@login_required
def edit_post(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    post = get_post_for(user, pk, "edit")
    communes = _communes(request)
    status = 200
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES, post=post, with_kind=True, communes=communes)
        if form.is_valid():
            try:
                services.update_post(post, user, **form.post_values(), **form.photo_changes())
            except ValidationError as error:
                form.add_service_errors(error)
            except NotAllowed as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Your post is updated."))
                return redirect("mutual_aid:detail", post.pk)
        status = 400
    else:
        initial = {field: getattr(post, field) for field in services.EDITABLE}
        form = PostForm(initial=initial, post=post, with_kind=True, communes=communes)
    return _form_page(request, form, status, kind=post.kind, post=post)


def _after_action(request: HttpRequest, post: Post) -> HttpResponse:
    if request.POST.get("back") == "mine":
        return redirect("mutual_aid:my_posts")
    return redirect("mutual_aid:detail", post.pk)


@require_POST
@module_required
@login_required
def close_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_post_for(request.user, pk, "edit")
    try:
        services.close_post(post, cast(User, request.user))
    except NotAllowed as refusal:
        return _refused(request, refusal)
    messages.success(request, _("Your post is closed: nobody can answer it any more."))
    return _after_action(request, post)


@require_POST
@module_required
@login_required
def renew_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_post_for(request.user, pk, "edit")
    try:
        post = services.renew_post(post, cast(User, request.user))
    except NotAllowed as refusal:
        return _refused(request, refusal)
    messages.success(request, _renewed_message(post))
    return _after_action(request, post)


def _renewed_message(post: Post) -> str:
    until = formats.date_format(timezone.localtime(post.expires_at), "DATE_FORMAT")
    return _("Your post is shown until %(date)s.") % {"date": until}


@require_http_methods(GET_POST)
@module_required
@login_required
def delete_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first: deleting cannot be undone."""
    post = get_post_for(request.user, pk, "edit")
    if request.method == "POST":
        try:
            services.delete_post(post, cast(User, request.user))
        except NotAllowed as refusal:
            return _refused(request, refusal)
        messages.success(request, _("Your post is deleted."))
        return redirect("mutual_aid:my_posts")
    return render(request, "mutual_aid/posting/delete.html", {"post": post})


@require_GET
@module_required
@login_required
def my_posts(request: HttpRequest) -> HttpResponse:
    page = queries.page_of(queries.own_posts(request.user), request.GET.get("page"))
    return render(request, "mutual_aid/posting/mine.html", {"page": page})


@require_http_methods(GET_POST)
@module_required
def renew_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The reminder's link: GET asks (mail scanners follow links), POST renews. No login
    needed: the signed link, made for this town's site and this post, is the proof."""
    link = expiry.read_renew_token(token)
    if link is None:
        raise Http404
    post = link.post
    if request.method == "POST" and link.current:
        author = cast(User, post.author)
        try:
            post = services.renew_post(post, author)
        except NotAllowed as refusal:
            return _refused(request, refusal)
        return render(request, "mutual_aid/posting/renew_link.html", {"post": post, "done": True})
    return render(
        request,
        "mutual_aid/posting/renew_link.html",
        {"post": post, "done": False, "current": link.current},
    )
