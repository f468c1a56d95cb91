"""The debate's pages: comment or reply, change a comment within 15 minutes, delete one's
own. Thin: a form parses, participation.ideas.comments writes."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from participation.ideas import comments
from participation.ideas.access import (
    NotAllowed,
    comments_for,
    get_idea_for,
    get_own_comment,
    module_required,
)
from participation.ideas.forms import CommentForm
from participation.ideas.views import detail_context, refused


def _anchor(comment_pk: int, idea_pk: int) -> str:
    return reverse("ideas:detail", args=[idea_pk]) + f"#commentaire-{comment_pk}"


@require_POST
@module_required
@login_required
def add_comment(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    idea = get_idea_for(user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent_pk = form.cleaned_data.get("parent")
        parent = comments_for(user).filter(pk=parent_pk, idea=idea).first() if parent_pk else None
        try:
            if parent_pk and parent is None:
                raise NotAllowed(_("This comment can no longer be answered."))
            comment = comments.add_comment(user, idea, form.cleaned_data["body"], parent=parent)
        except NotAllowed as refusal:
            form.add_error(None, refusal.message)
        else:
            return redirect(_anchor(comment.pk, idea.pk))
    # What was typed comes back in the form, with the reason.
    context = detail_context(request, idea, comment_form=form)
    return render(request, "participation/ideas/detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
@module_required
@login_required
def edit_comment(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    comment = get_own_comment(user, pk)
    if not comments.may_edit(comment, user):
        return refused(
            request,
            NotAllowed(_("A comment can be changed only in the 15 minutes after it is written.")),
        )
    status = 200
    if request.method == "POST":
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                comments.edit_comment(user, comment, form.cleaned_data["body"])
            except NotAllowed as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Your comment is changed."))
                return redirect(_anchor(comment.pk, comment.idea_id))
        status = 400
    else:
        form = CommentForm(initial={"body": comment.body})
    context = {"form": form, "comment": comment}
    return render(request, "participation/ideas/comment_edit.html", context, status=status)


@require_POST
@module_required
@login_required
def delete_comment(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    comment = get_own_comment(user, pk)
    if comments.delete_comment(user, comment):
        messages.success(request, _("Your comment is deleted."))
    return redirect(_anchor(comment.pk, comment.idea_id))
