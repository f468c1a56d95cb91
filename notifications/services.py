"""Telling residents: the one entry point every app uses (`notify`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from accounts.models import User
from notifications import kinds
from notifications.models import Notification


def notify(
    recipient: User,
    kind: str,
    *,
    title: str,
    url: str = "",
    body: str = "",
    actor: User | None = None,
) -> Notification | None:
    """Tell one person something, in the caller's transaction. Nobody is told of their own act,
    and an inactive account is told nothing. Email follows the recipient's preference."""
    created = notify_many([recipient], kind, title=title, url=url, body=body, actor=actor)
    return created[0] if created else None


def notify_many(
    recipients: Iterable[User],
    kind: str,
    *,
    title: str,
    url: str = "",
    body: str = "",
    actor: User | None = None,
) -> list[Notification]:
    """The same notification to several people, written in one query."""
    kinds.get(kind)  # an unregistered kind is a programming error, found at once
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() runs inside the transaction of the action it reports")
    rows = [
        Notification(
            recipient=person, kind=kind, title=title[:200], url=url, body=body, actor=actor
        )
        for person in recipients
        if person.is_active and (actor is None or person.pk != actor.pk)
    ]
    return Notification.objects.bulk_create(rows)


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
