"""Telling residents: the one entry point every app uses (`notify`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications import delivery, kinds, preferences
from notifications.emails import can_be_emailed
from notifications.kinds import Frequency
from notifications.models import Notification
from tenants import versioned_cache


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
    """The same notification to several people, written in one query (and one to read their
    email preferences). Emails to send right away are queued after commit, in batches."""
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
    if not rows:
        return []
    wanted = preferences.frequencies_for({row.recipient_id for row in rows}, [kind])
    for row in rows:
        mailable = can_be_emailed(row.recipient)
        row.email_frequency = wanted[(row.recipient_id, kind)] if mailable else Frequency.NEVER
    created = Notification.objects.bulk_create(rows)
    _recount(*{row.recipient_id for row in created})
    delivery.queue_immediate(
        [row.pk for row in created if row.email_frequency == Frequency.IMMEDIATE]
    )
    return created


def unread_count(user: User) -> int:
    """The count every page's header shows. Cached per person, recounted after each change
    (tenants.versioned_cache), so one query in many."""
    if not user.is_authenticated:
        return 0

    def count() -> int:
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    seconds = int(getattr(settings, "NOTIFICATIONS_UNREAD_CACHE_SECONDS", 300))
    if seconds <= 0:
        return count()
    key = f"notifications:unread:{user.pk}"
    return int(versioned_cache.read(_version_key(user.pk), {key: count}, seconds=seconds)[key])


def _version_key(person_id: int) -> str:
    return f"notifications:unread_version:{person_id}"


def _recount(*person_ids: int) -> None:
    """Their cached unread counts are stale once this transaction commits."""
    versioned_cache.bump(*(_version_key(pk) for pk in person_ids))


def mark_read(notification: Notification) -> bool:
    """Mark one notification read; a conditional UPDATE, so it is read once, at its first
    opening, whatever opens it at the same time. True if this call marked it."""
    if notification.read_at is not None:
        return False
    now = timezone.now()
    marked = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now
    )
    if marked:
        notification.read_at = now
        _recount(notification.recipient_id)
    return bool(marked)


def mark_all_read(user: User) -> int:
    """Mark every unread notification of this person read; returns how many."""
    marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        _recount(user.pk)
    return marked
