"""Telling the participants of a consultation its conclusion (a kind they may mute).

The residents who answered with their account are told, in batches; not the anonymous
browsers nor the paper answers, which have no account to tell. Each run skips those already
told, so a retried task tells nobody twice.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notifications.kinds import Kind, register
from notifications.models import Notification
from notifications.services import notify_many
from participation.consultations.models import Consultation

CONCLUSION = Kind(
    "participation.consultation_conclusion",
    _("The town's conclusion of a consultation I answered"),
)
TITLE = _("What the town will do after “%(title)s”")
BATCH_SIZE = 500


def register_kinds() -> None:
    register(CONCLUSION)


def conclusion_url(consultation: Consultation) -> str:
    return reverse("consultations:detail", args=[consultation.key]) + "#conclusion"


def tell_participants(consultation_id: int, *, batch_size: int = BATCH_SIZE) -> int:
    """Notify who answered a consultation of its published conclusion; how many were told."""
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None or consultation.conclusion_published_at is None:
        return 0
    url = conclusion_url(consultation)
    with translation.override(settings.LANGUAGE_CODE):
        title = str(TITLE) % {"title": consultation.title}
    already = Notification.objects.filter(kind=CONCLUSION.code, url=url).values("recipient_id")
    people = (
        User.objects.filter(
            is_active=True,
            consultation_responses__consultation_id=consultation.pk,
        )
        .exclude(pk__in=already)
        .distinct()
    )
    told, after = 0, 0
    while True:
        with transaction.atomic():
            # Two runs at once (a retry overtaking a slow one) take turns: the second then
            # sees who the first told.
            Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
            batch = list(people.filter(pk__gt=after).order_by("pk")[:batch_size])
            if not batch:
                return told
            told += len(notify_many(batch, CONCLUSION.code, title=title, url=url))
        after = batch[-1].pk


# A failure is retried: residents already told are skipped, so nobody is told twice.
@shared_task(autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=6)
def notify_conclusion(consultation_id: int) -> int:
    return tell_participants(consultation_id)
