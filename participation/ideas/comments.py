"""The debate under an idea: comment, reply (two levels deep), edit within 15 minutes, delete
one's own. The only place that writes comments; the idea's count follows in the same
transaction."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from participation.ideas.access import NotAllowed, ensure_may_contribute
from participation.ideas.models import Idea, IdeaComment

EDIT_WINDOW = timedelta(minutes=15)
MAX_DEPTH = 2


def recount(idea_pk: int) -> None:
    """The idea's number of comments residents see (after moderation hides or restores one)."""
    shown = IdeaComment.objects.filter(
        idea_id=idea_pk, hidden_at__isnull=True, deleted_at__isnull=True
    ).count()
    Idea.objects.filter(pk=idea_pk).exclude(comment_count=shown).update(comment_count=shown)


@transaction.atomic
def add_comment(
    author: User, idea: Idea, body: str, *, parent: IdeaComment | None = None
) -> IdeaComment:
    """A comment, or a reply; a reply to a reply of a reply joins that last thread (the
    debate stays readable on a phone: three levels at most)."""
    ensure_may_contribute(author)
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not idea.is_open:
        raise NotAllowed(_("This idea is closed: it can no longer be supported or discussed."))
    depth = 0
    if parent is not None:
        if parent.idea_id != idea.pk or parent.hidden_at is not None:
            raise NotAllowed(_("This comment can no longer be answered."))
        if parent.depth >= MAX_DEPTH:
            parent = parent.parent
        depth = parent.depth + 1 if parent is not None else 0
    comment = IdeaComment.objects.create(
        idea=idea, author=author, parent=parent, depth=depth, body=body
    )
    Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
    return comment


def may_edit(comment: IdeaComment, user: User) -> bool:
    return (
        comment.author_id == user.pk
        and comment.deleted_at is None
        and comment.hidden_at is None
        and timezone.now() - comment.created_at <= EDIT_WINDOW
    )


@transaction.atomic
def edit_comment(author: User, comment: IdeaComment, body: str) -> IdeaComment:
    ensure_may_contribute(author)
    comment = IdeaComment.objects.select_for_update().get(pk=comment.pk)
    if not may_edit(comment, author):
        raise NotAllowed(_("A comment can be changed only in the 15 minutes after it is written."))
    if comment.body == body:
        return comment
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    return comment


@transaction.atomic
def delete_comment(author: User, comment: IdeaComment) -> bool:
    """The author takes their comment back: its text goes, its replies stay in place."""
    comment = IdeaComment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id != author.pk or comment.deleted_at is not None:
        return False
    comment.deleted_at = timezone.now()
    comment.body = ""
    comment.save(update_fields=["deleted_at", "body"])
    recount(comment.idea_id)
    return True
