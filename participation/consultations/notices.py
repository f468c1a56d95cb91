"""What residents are told about consultations: a new one is open (a kind they may mute).

They are told when it opens, not when staff publish it ahead of its opening: publishing an
open consultation tells at once (a task after the commit), and a sweep every few minutes
(settings.CELERY_BEAT_SCHEDULE, in every town) tells those that opened since. Each run is
safe to repeat: people already told are skipped, `opening_notice_sent_at` marks it done, and
a lock held while telling keeps two runs from telling the same people at once.
"""

from __future__ import annotations

import datetime
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notifications.kinds import Kind, register
from notifications.models import Notification
from notifications.services import notify_many
from participation.consultations.models import Consultation

NEW_CONSULTATION = Kind(
    "participation.new_consultation",
    _("A new consultation asks for my opinion"),
)
NEW_TITLE = _("New consultation: %(title)s")
BATCH_SIZE = 500


def register_kinds() -> None:
    register(NEW_CONSULTATION)


def consultation_url(consultation: Consultation) -> str:
    return reverse("consultations:detail", args=[consultation.key])


def audience_of(consultation: Consultation) -> QuerySet[User]:
    """The accounts that may answer: verified ones only, or those of the chosen communes."""
    people = User.objects.filter(is_active=True)
    if consultation.audience == Consultation.Audience.VERIFIED:
        people = people.filter(resident_profile__verified_at__isnull=False)
    communes = list(consultation.communes.values_list("pk", flat=True))
    if communes:
        people = people.filter(resident_profile__neighbourhood_id__in=communes)
    return people


def tell_residents(consultation_id: int, *, batch_size: int = BATCH_SIZE) -> int:
    """Notify the audience of a published consultation, in batches; returns how many were told."""
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None or consultation.published_at is None:
        return 0
    url = consultation_url(consultation)
    with translation.override(settings.LANGUAGE_CODE):
        title = str(NEW_TITLE) % {"title": consultation.title}
    already = Notification.objects.filter(kind=NEW_CONSULTATION.code, url=url).values(
        "recipient_id"
    )
    people = audience_of(consultation).exclude(pk__in=already)
    if consultation.created_by_id:  # nobody is told of their own act (notify_many skips them)
        people = people.exclude(pk=consultation.created_by_id)
    told, after = 0, 0
    while True:
        with transaction.atomic():
            batch = list(people.filter(pk__gt=after).order_by("pk")[:batch_size])
            if not batch:
                return told
            notify_many(
                batch, NEW_CONSULTATION.code, title=title, url=url, actor=consultation.created_by
            )
        told += len(batch)
        after = batch[-1].pk


def due_for_opening_notice(now: datetime.datetime | None = None) -> QuerySet[Consultation]:
    """Published, open now, and its audience not told yet."""
    now = now or timezone.now()
    return Consultation.objects.filter(
        published_at__isnull=False,
        opening_notice_sent_at__isnull=True,
        opens_at__lte=now,
        closes_at__gt=now,
    )


@contextmanager
def _telling(consultation_id: int) -> Iterator[bool]:
    """A lock for the session while one run tells a consultation's audience: True if this run
    holds it, False if another run is at it (this one then leaves it to that one)."""
    key = zlib.crc32(f"{connection.schema_name}:consultation-notice:{consultation_id}".encode())  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [0x434F, key & 0x7FFFFFFF])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [0x434F, key & 0x7FFFFFFF])


def send_opening_notice(consultation_id: int, now: datetime.datetime | None = None) -> int:
    """Tell the audience of a consultation that is open now and marks it told; 0 when it is
    not open, already told, or being told by another run."""
    now = now or timezone.now()
    with _telling(consultation_id) as held:
        if not held or not due_for_opening_notice(now).filter(pk=consultation_id).exists():
            return 0
        told = tell_residents(consultation_id)
        Consultation.objects.filter(pk=consultation_id, opening_notice_sent_at__isnull=True).update(
            opening_notice_sent_at=now
        )
    return told


def send_due_opening_notices(now: datetime.datetime | None = None) -> int:
    """Every consultation of this town that opened and was not told yet; how many people."""
    now = now or timezone.now()
    due = list(due_for_opening_notice(now).order_by("opens_at", "pk").values_list("pk", flat=True))
    return sum(send_opening_notice(pk, now) for pk in due)
