"""What residents are told about consultations: a new one is open (a kind they may mute)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
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
