"""A resident's idea box data: in their export, and what happens to it when they leave.

Export (GDPR art. 15 and 20): their ideas, comments, supports and followed ideas.
Erasure (art. 17): their ideas and comments stay in the town's public debate, signed "former
resident" (the author link is set to null by the database); their supports go, and the
ideas' counts follow in the deletion's own transaction.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.db.models.signals import pre_delete

from accounts.models import User
from participation.ideas.models import Idea, IdeaComment, IdeaFollow, IdeaSupport
from townsite.residents.export import register_export_section


def ideas_section(user: User) -> dict[str, Any]:
    return {
        "ideas": [
            {
                "title": idea.title,
                "description": idea.description,
                "category": idea.category.name,
                "status": idea.status,
                "proposed_on": idea.created_at,
            }
            for idea in Idea.objects.filter(author=user).select_related("category")
        ],
        "comments": [
            {"idea": comment.idea.title, "text": comment.body, "written_on": comment.created_at}
            for comment in IdeaComment.objects.filter(
                author=user, deleted_at__isnull=True
            ).select_related("idea")
        ],
        "supported": [
            {"idea": row.idea.title, "since": row.created_at}
            for row in IdeaSupport.objects.filter(user=user).select_related("idea")
        ],
        "followed": [
            row.idea.title for row in IdeaFollow.objects.filter(user=user).select_related("idea")
        ],
    }


def forget_supports(sender: type[User], instance: User, **kwargs: Any) -> None:
    """Runs inside delete_account's transaction, before the account (and its supports) go."""
    supported = IdeaSupport.objects.filter(user=instance).values("idea_id")
    Idea.objects.filter(pk__in=supported, support_count__gt=0).update(
        support_count=F("support_count") - 1
    )


def connect() -> None:
    register_export_section("ideas", ideas_section)
    pre_delete.connect(forget_supports, sender=User, dispatch_uid="ideas_forget_supports")
