"""An idea's thread of comments, rendered once and shared by the town's members, with what is
the viewer's own rendered again for them: their comments (change, delete; their own hidden
comment's text). The team sees every hidden comment: their thread is rendered for them.

A page of 500 comments takes a few hundred milliseconds to render; read from the cache it
costs as much as the list (participation.ideas.list_cache: same version, bumped by every
comment, idea, answer, moderation, name or badge change; same short lifetime).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from participation.ideas import list_cache, queries
from participation.ideas.access import is_staff
from participation.ideas.models import Idea, IdeaComment


@dataclass(frozen=True)
class SharedThread:
    html: str
    authors: tuple[tuple[int, int | None], ...]  # (comment, its author)


def _comments(nodes: list[queries.Node]) -> list[IdeaComment]:
    found, stack = [], list(nodes)
    while stack:
        node = stack.pop()
        found.append(node.comment)
        stack.extend(node.replies)
    return found


def thread_for(request: HttpRequest, idea: Idea, context: dict[str, Any]) -> SafeString:
    """The rendered thread for this viewer; `context` is what every comment shows the same
    way (the idea, the report link's start, the edit window)."""
    user: Any = request.user
    if is_staff(user):
        nodes = queries.thread(user, idea)
        own = {**context, "thread": nodes, "is_staff": True}
        rendered = render_to_string("participation/ideas/_thread.html", own, request=request)
        return mark_safe(rendered)  # noqa: S308

    def render_shared() -> SharedThread:
        nodes = queries.thread(None, idea)
        # As no one in particular sees it: nothing of the viewer reaches a part shared by all.
        shared = {**context, "thread": nodes, "user": None, "is_staff": False}
        html = render_to_string("participation/ideas/_thread.html", shared)
        comments = _comments(nodes)
        return SharedThread(html, tuple((row.pk, row.author_id) for row in comments))

    key = f"thread {idea.pk}"
    shared: SharedThread = list_cache.shared({key: render_shared})[key]
    html: str = shared.html
    mine = [pk for pk, author in shared.authors if author is not None and author == user.pk]
    if mine:
        rows = IdeaComment.objects.filter(pk__in=mine).select_related("author__resident_profile")
        for comment in rows:
            start, end = f"<!--comment:{comment.pk}-->", f"<!--/comment:{comment.pk}-->"
            before, found, rest = html.partition(start)
            if not found:
                continue
            _old, found, after = rest.partition(end)
            own = {**context, "comment": comment, "is_staff": False}
            body = render_to_string("participation/ideas/_comment_body.html", own, request=request)
            html = before + start + body + end + after
    return mark_safe(html)  # noqa: S308  # our own templates' output, escaped when rendered
