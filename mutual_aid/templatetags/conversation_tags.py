"""The conversation panel of a post's page ({% conversation_panel post %}), and `person`."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from mutual_aid.access import NotAllowed, ensure_may_answer
from mutual_aid.conversations import queries
from mutual_aid.conversations.forms import HelpedForm, MessageForm
from mutual_aid.models import Conversation, Post

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """How a resident is named to others: their display name, never their email or phone."""
    if user is None:
        return _("Former resident")
    return str(getattr(user, "display_name", "") or _("A resident"))


@register.simple_tag(takes_context=True)
def conversation_panel(context: Any, post: Post) -> SafeString:
    """For the author: the conversations about the post and "help given"; for someone who
    answered: their conversation; for others: the answer form, or why they cannot answer."""
    request = context["request"]
    viewer = request.user
    panel: dict[str, Any] = {"post": post, "is_author": viewer.pk == post.author_id}
    if panel["is_author"]:
        conversations = queries.on_post(viewer, post)
        panel["conversations"] = conversations
        people = [c.respondent for c in conversations if c.respondent is not None]
        panel["helped_form"] = HelpedForm(people=people)
    else:
        panel["mine"] = Conversation.objects.filter(post=post, respondent_id=viewer.pk).first()
        if panel["mine"] is None:
            try:
                ensure_may_answer(viewer, post)
            except NotAllowed as refusal:
                panel["reason"] = refusal.message
            panel["form"] = MessageForm()
    return render_to_string("mutual_aid/conversations/_panel.html", panel, request=request)
