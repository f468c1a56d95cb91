"""Ideas and their comments in the town's one moderation queue (townsite.moderation)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from participation.ideas import comments
from participation.ideas.access import comments_for, ideas_for
from participation.ideas.models import Idea, IdeaComment
from townsite.moderation import registry

IDEA_KEY = "idee"
COMMENT_KEY = "commentaire-idee"


def _may_report_idea(user: User, idea: Idea) -> bool:
    return ideas_for(user).filter(pk=idea.pk).exists()


def _may_report_comment(user: User, comment: IdeaComment) -> bool:
    return comment.deleted_at is None and comments_for(user).filter(pk=comment.pk).exists()


def _recount(comment: IdeaComment) -> None:
    comments.recount(comment.idea_id)


def register() -> None:
    registry.register(
        Idea,
        key=IDEA_KEY,
        label=_("idea"),
        author=lambda idea: idea.author,
        excerpt=lambda idea: f"{idea.title} — {idea.description}",
        url=lambda idea: reverse("ideas:detail", args=[idea.pk]),
        authored_by=lambda user: Idea.objects.filter(author=user),
        can_report=_may_report_idea,
    )
    registry.register(
        IdeaComment,
        key=COMMENT_KEY,
        label=_("comment on an idea"),
        author=lambda comment: comment.author,
        excerpt=lambda comment: comment.body,
        url=lambda comment: (
            reverse("ideas:detail", args=[comment.idea_id]) + f"#commentaire-{comment.pk}"
        ),
        authored_by=lambda user: IdeaComment.objects.filter(author=user, deleted_at__isnull=True),
        # Hidden or shown again: the idea's number of comments changes.
        hide=_recount,
        restore=_recount,
        can_report=_may_report_comment,
    )
