"""A resident's mutual aid data: in their export, and what happens to it when they leave.

Export (GDPR art. 15 and 20): their posts, photos' descriptions, conversations with the
messages on both sides (a conversation is the person's own record), loans, bookings and
commitments.

Erasure (art. 17): deleting an account takes its posts down (soft-deleted, their text and
photos erased) without deleting the conversations about them, so the neighbour who answered
keeps reading what was said; the departed person's messages stay in those conversations,
signed "former resident". Their bookings and loan requests still pending are cancelled, so a
driver or a lender does not wait for someone who is gone.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.utils import timezone

from accounts.models import User
from mutual_aid.models import (
    Commitment,
    Conversation,
    LoanRequest,
    Message,
    Photo,
    Post,
    SeatBooking,
)
from townsite.residents.export import register_export_section


def posts_section(user: User) -> list[dict[str, Any]]:
    posts = Post.objects.filter(author=user, deleted_at__isnull=True).select_related(
        "category", "neighbourhood"
    )
    photos: dict[int, list[str]] = {}
    for photo in Photo.objects.filter(post__in=posts).order_by("position", "pk"):
        photos.setdefault(photo.post_id, []).append(photo.description)
    return [
        {
            "id": post.pk,
            "kind": post.kind,
            "type": post.type,
            "category": post.category.name,
            "title": post.title,
            "description": post.description,
            "neighbourhood": post.neighbourhood.name if post.neighbourhood else None,
            "when": post.when,
            "date_start": post.date_start,
            "date_end": post.date_end,
            "rhythm": post.rhythm,
            "status": post.status,
            "created_at": post.created_at,
            "expires_at": post.expires_at,
            "helped_at": post.helped_at,
            "thanks": post.thanks,
            "photo_descriptions": photos.get(post.pk, []),
            "hidden_by_moderation": post.hidden_at is not None,
        }
        for post in posts
    ]


def conversations_section(user: User) -> list[dict[str, Any]]:
    conversations = list(
        Conversation.objects.filter(Q(author=user) | Q(respondent=user)).select_related(
            "author", "respondent"
        )
    )
    messages: dict[int, list[dict[str, Any]]] = {}
    for message in Message.objects.filter(conversation__in=conversations).select_related("sender"):
        messages.setdefault(message.conversation_id, []).append(
            {
                "from_me": message.sender_id == user.pk,
                "from": message.sender.display_name if message.sender else None,
                "sent_at": message.created_at,
                "body": message.body,
            }
        )
    return [
        {
            "post_title": conversation.post_title,
            "my_role": "author" if conversation.author_id == user.pk else "respondent",
            "with": _other(conversation, user),
            "started_at": conversation.created_at,
            "messages": messages.get(conversation.pk, []),
        }
        for conversation in conversations
    ]


def exchanges_section(user: User) -> dict[str, Any]:
    return {
        "loan_requests": [
            {
                "object": loan.post.title,
                "from": loan.start_date,
                "until": loan.end_date,
                "status": loan.status,
                "message": loan.message,
            }
            for loan in LoanRequest.objects.filter(borrower=user).select_related("post")
        ],
        "seat_bookings": [
            {"ride": booking.post.title, "seats": booking.seats, "status": booking.status}
            for booking in SeatBooking.objects.filter(passenger=user).select_related("post")
        ],
        "group_purchase_commitments": [
            {"purchase": commitment.post.title, "quantity": commitment.quantity}
            for commitment in Commitment.objects.filter(resident=user).select_related("post")
        ],
    }


def _other(conversation: Conversation, user: User) -> str | None:
    other = conversation.respondent if conversation.author_id == user.pk else conversation.author
    return other.display_name if other else None


def erase_on_account_deletion(sender: type[User], instance: User, **kwargs: Any) -> None:
    """Runs inside delete_account's transaction, before the account row goes."""
    now = timezone.now()
    posts = Post.objects.filter(author=instance)
    photos = Photo.objects.filter(post__in=posts)
    files = [(photo.image.storage, photo.image.name) for photo in photos if photo.image.name]
    photos.delete()

    def delete_files() -> None:
        for storage, name in files:
            storage.delete(name)

    # The files go once the deletion is committed: a rolled-back deletion keeps its photos.
    transaction.on_commit(delete_files)
    posts.filter(deleted_at__isnull=True).update(deleted_at=now)
    posts.update(description="", thanks="", rhythm="")
    LoanRequest.objects.filter(
        borrower=instance, status__in=[LoanRequest.Status.REQUESTED, LoanRequest.Status.ACCEPTED]
    ).update(status=LoanRequest.Status.CANCELLED)
    SeatBooking.objects.filter(passenger=instance, status=SeatBooking.Status.BOOKED).update(
        status=SeatBooking.Status.CANCELLED
    )


def connect() -> None:
    register_export_section("mutual_aid_posts", posts_section)
    register_export_section("mutual_aid_conversations", conversations_section)
    register_export_section("mutual_aid_exchanges", exchanges_section)
    pre_delete.connect(
        erase_on_account_deletion, sender=User, dispatch_uid="mutual_aid_erase_account"
    )
