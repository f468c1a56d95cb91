"""Conversation pages: answering a post, a conversation, the inbox, help marked given.

Thin views: a form reads the input, one service writes, the page renders or redirects. Every
page works without JavaScript; with htmx a reply is sent without reloading the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from mutual_aid.access import (
    NotAllowed,
    ensure_may_answer,
    get_conversation_for,
    get_post_for,
    module_required,
    posts_for,
)
from mutual_aid.conversations import queries, services
from mutual_aid.conversations.forms import HelpedForm, MessageForm
from mutual_aid.models import Conversation, HelpLine, Post

PAGE_SIZE = 20


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _help_lines(post: Post) -> list[HelpLine]:
    return list(HelpLine.objects.filter(enabled=True)) if post.category.sensitive else []


def _submit(form: MessageForm, write: Any) -> Any:
    """Run a write with the form's text; its refusal or error lands on the form."""
    if not form.is_valid():
        return None
    try:
        return write(form.cleaned_data["body"])
    except NotAllowed as refusal:
        form.add_error(None, refusal.message)
    except ValidationError as error:
        form.add_error("body", error)
    return None


@never_cache
@module_required
@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a post (the form is also on the post's page): opens the conversation."""
    post = get_post_for(request.user, pk)
    mine = Conversation.objects.filter(post=post, respondent_id=request.user.pk).first()
    if mine is not None and request.method != "POST":
        return redirect("mutual_aid:conversation", pk=mine.pk)
    form = MessageForm(_posted(request))
    if request.method == "POST":
        started = _submit(
            form,
            lambda body: services.start_conversation(post, request.user, body=body),  # type: ignore[arg-type]
        )
        if started is not None:
            messages.success(request, _("Your message is sent."))
            return redirect("mutual_aid:conversation", pk=started.pk)
    reason = ""
    if mine is None:
        try:
            ensure_may_answer(request.user, post)
        except NotAllowed as refusal:
            reason = refusal.message
    context = {"post": post, "form": form, "reason": reason, "help_lines": _help_lines(post)}
    status = 403 if reason else 400 if form.is_bound else 200
    return render(request, "mutual_aid/conversations/answer.html", context, status=status)


@never_cache
@module_required
@login_required
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    """A conversation: its messages, oldest first, and the reply form."""
    found = get_conversation_for(request.user, pk)
    form = MessageForm(_posted(request), label=_("Your reply"))
    if request.method == "POST":
        sent = _submit(
            form,
            lambda body: services.send_message(found, request.user, body=body),  # type: ignore[arg-type]
        )
        if sent is not None:
            if not _is_htmx(request):
                return redirect(f"{request.path}#message-{sent.pk}")
            form = MessageForm(label=_("Your reply"))
            found.refresh_from_db()
    services.mark_read(found, request.user)  # type: ignore[arg-type]
    context = _conversation_context(request, found, form)
    if _is_htmx(request):
        # htmx swaps only a 2xx answer: a refused message is shown with its reason, in place.
        return render(request, "mutual_aid/conversations/_thread.html", context)
    status = 400 if form.is_bound else 200
    return render(request, "mutual_aid/conversations/conversation.html", context, status=status)


def _conversation_context(
    request: HttpRequest, found: Conversation, form: MessageForm
) -> dict[str, Any]:
    viewer = request.user
    thread = queries.messages_of(found)
    last = thread[-1] if thread else None
    try:
        services.ensure_may_write(found, viewer)
        closed_reason = ""
    except NotAllowed as refusal:
        closed_reason = refusal.message
    post_visible = posts_for(viewer).filter(pk=found.post_id).exists()
    return {
        "conversation": found,
        "thread": thread,
        "last_read": queries.read_by_other(found, viewer, last),
        "other": services.other_participant(found, viewer),
        "is_author": viewer.pk == found.author_id,
        "post_visible": post_visible,
        "form": form,
        "closed_reason": closed_reason,
        "help_lines": _help_lines(found.post),
    }


def _inbox(request: HttpRequest, role: queries.Role, template: str) -> HttpResponse:
    conversations = queries.inbox(request.user, role)
    page = Paginator(conversations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "role": role,
        "unread": queries.unread_conversations(request.user),
    }
    return render(request, template, context)


@never_cache
@module_required
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """My conversations, on my posts and about the posts I answered."""
    return _inbox(request, "", "mutual_aid/conversations/inbox.html")


@never_cache
@module_required
@login_required
def my_answers(request: HttpRequest) -> HttpResponse:
    """The posts I answered, through my conversations about them."""
    return _inbox(request, "respondent", "mutual_aid/conversations/inbox.html")


@never_cache
@module_required
@login_required
def mark_helped(request: HttpRequest, pk: int) -> HttpResponse:
    """The author says the help was given, with whom, and may thank them."""
    post = get_post_for(request.user, pk, "edit")
    people = [c.respondent for c in post.conversations.select_related("respondent") if c.respondent]
    form = HelpedForm(_posted(request), people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mark_helped(
                post,
                request.user,  # type: ignore[arg-type]
                helper=data["helper"],
                thanks=data["thanks"],
                thanks_public=data["thanks_public"],
            )
        except NotAllowed as refusal:
            form.add_error(None, refusal.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you! The post shows that the help was given."))
            return redirect("mutual_aid:detail", pk=post.pk)
    context = {"post": post, "form": form}
    status = 400 if form.is_bound else 200
    return render(request, "mutual_aid/conversations/helped.html", context, status=status)
