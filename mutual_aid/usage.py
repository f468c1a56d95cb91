"""What mutual aid counts for the ops console: posts and messages per month, and who was active."""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from mutual_aid.models import Message, Post
from ops.figures import register_activity, register_counter


def register() -> None:
    register_counter(
        "posts",
        _("Posts"),
        lambda start, end: Post.objects.filter(created_at__gte=start, created_at__lt=end).count(),
    )
    register_counter(
        "messages",
        _("Messages"),
        lambda start, end: Message.objects.filter(
            created_at__gte=start, created_at__lt=end
        ).count(),
    )
    register_activity(
        "posts",
        lambda since: Post.objects.filter(created_at__gte=since).values_list(
            "author_id", flat=True
        ),
        lambda: Post.objects.aggregate(at=Max("created_at"))["at"],
    )
    register_activity(
        "messages",
        lambda since: Message.objects.filter(created_at__gte=since).values_list(
            "sender_id", flat=True
        ),
        lambda: Message.objects.aggregate(at=Max("created_at"))["at"],
    )
