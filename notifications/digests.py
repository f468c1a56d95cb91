"""Daily and weekly digests: built in batches of residents, at most one per resident and period.

A run finds the residents with notifications waiting for this frequency (and no digest yet in
this period), then claims them batch by batch: in one transaction, a DigestDelivery row per
resident (unique on user, frequency and period: a second run, concurrent or later, claims
nobody twice) and their notifications marked as emailed and tied to it. Once the batch commits,
one mail task sends its digests. A run that crashes halfway leaves whole batches claimed or not
claimed; running it again finishes the job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.mail import mailers
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from notifications import preferences
from notifications.delivery import chunks, queue_on_commit
from notifications.emails import Town, can_be_emailed, digest_message
from notifications.kinds import Frequency
from notifications.models import DigestDelivery, Notification

# Residents per batch: one transaction to claim them, then one task to send their digests.
DIGEST_BATCH = 200
DIGEST_FREQUENCIES = (Frequency.DAILY, Frequency.WEEKLY)


def period_start(frequency: str, now: datetime) -> date:
    """The day (daily) or the Monday (weekly) of the period `now` falls in, in local time."""
    today = timezone.localdate(now)
    if frequency == Frequency.WEEKLY:
        return today - timedelta(days=today.weekday())
    return today


@dataclass(frozen=True)
class DigestRun:
    residents: int  # residents claimed in this run
    tasks: int  # mail tasks queued


def run_digests(frequency: str, *, now: datetime | None = None) -> DigestRun:
    """Build this period's digests of one frequency, in the current town's schema."""
    if frequency not in DIGEST_FREQUENCIES:
        raise ValueError(f"no digest for {frequency!r}")
    now = now or timezone.now()
    start = period_start(frequency, now)
    already = DigestDelivery.objects.filter(
        user_id=OuterRef("recipient_id"), frequency=frequency, period_start=start
    )
    waiting = sorted(
        Notification.objects.filter(
            emailed_at__isnull=True, email_frequency=frequency, created_at__lt=now
        )
        .exclude(Exists(already))
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    residents = tasks = 0
    for batch in chunks(waiting, DIGEST_BATCH):
        claimed = claim_batch(frequency, start, now, batch)
        residents += claimed
        tasks += 1 if claimed else 0
    return DigestRun(residents=residents, tasks=tasks)


@transaction.atomic
def claim_batch(frequency: str, start: date, now: datetime, user_ids: Sequence[int]) -> int:
    """Claim these residents' digests for the period; returns how many were claimed (the mail
    task for them is queued on commit)."""
    deliveries = DigestDelivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {deliveries} (user_id, frequency, period_start, created_at)"  # noqa: S608
            " SELECT u, %s, %s, %s FROM unnest(%s::bigint[]) AS u"
            " ON CONFLICT (user_id, frequency, period_start) DO NOTHING"
            " RETURNING id, user_id",
            [frequency, start, now, list(user_ids)],
        )
        delivery_of = {user_id: delivery_id for delivery_id, user_id in cursor.fetchall()}
    if not delivery_of:
        return 0
    pending = list(
        Notification.objects.select_for_update(of=("self",))
        .filter(
            recipient_id__in=delivery_of,
            emailed_at__isnull=True,
            email_frequency=frequency,
            created_at__lt=now,
        )
        .values_list("pk", "recipient_id", "kind")
    )
    # Preferences may have changed since: carry what is still wanted now (or sooner), and
    # restamp the rest for the frequency chosen since (or never).
    wanted = preferences.frequencies_for(delivery_of, {kind for _, _, kind in pending})
    carried: list[int] = []
    restamp: dict[str, list[int]] = {}
    for pk, user_id, kind in pending:
        choice = wanted[(user_id, kind)]
        if choice in (frequency, Frequency.IMMEDIATE):
            carried.append(pk)
        else:
            restamp.setdefault(choice, []).append(pk)
    for choice, pks in restamp.items():
        Notification.objects.filter(pk__in=pks).update(email_frequency=choice)
    notifications = Notification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {notifications} AS n SET emailed_at = %s, digest_id = d.id"  # noqa: S608
            f" FROM {deliveries} AS d"
            " WHERE n.id = ANY(%s) AND d.id = ANY(%s) AND d.user_id = n.recipient_id",
            [now, carried, list(delivery_of.values())],
        )
    carrying = set(
        Notification.objects.filter(pk__in=carried).values_list("digest_id", flat=True).distinct()
    )
    empty = [pk for pk in delivery_of.values() if pk not in carrying]
    if empty:  # nothing left to tell them: no digest this time, and none is counted
        DigestDelivery.objects.filter(pk__in=empty).delete()
    to_send = sorted(carrying)
    if to_send:
        from notifications.tasks import deliver_digests

        queue_on_commit(deliver_digests, to_send)
    return len(to_send)


def deliver(delivery_ids: Sequence[int]) -> int:
    """Send the digests not sent yet; returns how many went out.

    Each is marked sent by a conditional UPDATE in the transaction that sends it: a copy of
    the task running at the same time waits for that row, then finds it sent; a failure rolls
    back that digest only and raises, for the task to retry the rest.
    """
    deliveries = {
        delivery.pk: delivery
        for delivery in DigestDelivery.objects.filter(
            pk__in=delivery_ids, sent_at__isnull=True
        ).select_related("user")
    }
    if not deliveries:
        return 0
    carried: dict[int, list[Notification]] = {}
    for notification in Notification.objects.filter(digest_id__in=deliveries):
        carried.setdefault(notification.digest_id or 0, []).append(notification)
    town = Town.current()
    sent = 0
    with mailers["delivery"] as mail:
        for pk, delivery in sorted(deliveries.items()):
            with transaction.atomic():
                claimed = DigestDelivery.objects.filter(pk=pk, sent_at__isnull=True).update(
                    sent_at=timezone.now()
                )
                if not claimed:
                    continue
                notifications = carried.get(pk, [])
                if notifications and can_be_emailed(delivery.user):
                    mail.send_messages(
                        [digest_message(town, delivery.user, delivery.frequency, notifications)]
                    )
                    sent += 1
    return sent
