"""Staff's writes on a consultation itself: create, change, publish, duplicate, its files.

Each runs in a transaction, locks and re-reads the row, writes only what changed and its audit
entry; notifications and file removals wait for the commit.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from participation.consultations import attachments as files
from participation.consultations.models import (
    Consultation,
    ConsultationAttachment,
    ConsultationQuestion,
    ConsultationSection,
)
from participation.consultations.richtext import sanitise
from tenants.audit import record
from townsite.models import Neighbourhood

EDITABLE = ("title", "context_html", "opens_at", "closes_at", "audience")
# What would change who answered, or on what terms, once answers exist.
LOCKED_WHEN_ANSWERED = ("audience", "opens_at")


def has_answers(consultation: Consultation) -> bool:
    return consultation.responses.exists()


def _check_dates(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise ValidationError(
            {"closes_at": _("The closing date must come after the opening date.")}
        )


def _audit_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


@transaction.atomic
def create_consultation(
    actor: User,
    *,
    title: str,
    context_html: str,
    opens_at: datetime,
    closes_at: datetime,
    audience: str,
    communes: list[Neighbourhood] | None = None,
) -> Consultation:
    """A draft consultation with a first, empty section; residents see nothing yet."""
    _check_dates(opens_at, closes_at)
    consultation = Consultation.objects.create(
        title=title.strip(),
        context_html=sanitise(context_html),
        opens_at=opens_at,
        closes_at=closes_at,
        audience=audience,
        created_by=actor,
    )
    if communes:
        consultation.communes.set(communes)
    ConsultationSection.objects.create(consultation=consultation, title=_("Questions"))
    record(
        "consultation.create",
        actor=actor,
        target=consultation,
        after={"title": consultation.title, "audience": audience},
    )
    return consultation


@transaction.atomic
def update_consultation(
    actor: User,
    consultation: Consultation,
    *,
    communes: list[Neighbourhood] | None = None,
    **values: Any,
) -> Consultation:
    """Change the consultation's description; who may answer and when it opens are fixed once
    someone answered (their answer was given on those terms)."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if "context_html" in values:
        values["context_html"] = sanitise(values["context_html"])
    if "title" in values:
        values["title"] = values["title"].strip()
    changed = [
        name for name in EDITABLE if name in values and getattr(consultation, name) != values[name]
    ]
    old_communes = set(consultation.communes.values_list("pk", flat=True))
    new_communes = None if communes is None else {c.pk for c in communes}
    communes_changed = new_communes is not None and new_communes != old_communes
    answered = has_answers(consultation)
    if answered and (communes_changed or any(n in LOCKED_WHEN_ANSWERED for n in changed)):
        raise ValidationError(
            _(
                "People have already answered: who may answer and the opening date can no "
                "longer change. Duplicate the consultation to ask again differently."
            )
        )
    _check_dates(
        values.get("opens_at", consultation.opens_at),
        values.get("closes_at", consultation.closes_at),
    )
    if not changed and not communes_changed:
        return consultation
    before = {name: _audit_value(getattr(consultation, name)) for name in changed}
    for name in changed:
        setattr(consultation, name, values[name])
    if changed:
        consultation.save(update_fields=changed)
    after = {name: _audit_value(getattr(consultation, name)) for name in changed}
    if communes_changed and communes is not None:
        consultation.communes.set(communes)
        before["communes"] = sorted(old_communes)
        after["communes"] = sorted(new_communes or [])
    record("consultation.update", actor=actor, target=consultation, before=before, after=after)
    return consultation


@transaction.atomic
def publish_consultation(actor: User, consultation: Consultation) -> Consultation:
    """Residents see it from now on (and may answer from its opening). If it is open, they are
    told after the commit, in batches, by a task; if it opens later, when it opens."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.published_at is not None:
        return consultation
    if not consultation.questions.exists():
        raise ValidationError(_("Add at least one question before publishing."))
    if consultation.closes_at <= timezone.now():
        raise ValidationError(_("The closing date is past: choose a later one to publish."))
    consultation.published_at = timezone.now()
    consultation.save(update_fields=["published_at"])
    record("consultation.publish", actor=actor, target=consultation)
    if consultation.phase() == "open":  # else the opening sweep tells them when it opens
        from participation.consultations.tasks import notify_new_consultation

        transaction.on_commit(partial(notify_new_consultation.delay, consultation.pk))
    return consultation


@transaction.atomic
def duplicate_consultation(actor: User, consultation: Consultation) -> Consultation:
    """A new draft with the same description, files and questionnaire (conditions kept), and
    no answer: the way to change a questionnaire people already answered."""
    source = Consultation.objects.get(pk=consultation.pk)
    copy = Consultation.objects.create(
        title=_("%(title)s (copy)") % {"title": source.title},
        context_html=source.context_html,
        opens_at=source.opens_at,
        closes_at=source.closes_at,
        audience=source.audience,
        created_by=actor,
    )
    copy.communes.set(source.communes.all())
    for attachment in source.attachments.all():
        extension = (attachment.file.name or "").rsplit(".", 1)[-1]
        with attachment.file.open("rb") as handle:
            name = default_storage.save(f"consultations/{files.stored_name(extension)}", handle)
        ConsultationAttachment.objects.create(
            consultation=copy,
            file=name,
            name=attachment.name,
            content_type=attachment.content_type,
            size=attachment.size,
        )
    questions: dict[int, ConsultationQuestion] = {}
    for section in source.sections.all():
        section_copy = ConsultationSection.objects.create(
            consultation=copy,
            title=section.title,
            description=section.description,
            position=section.position,
        )
        for question in section.questions.order_by("position", "pk"):
            old_pk, parent = question.pk, question.show_if_question_id
            question.pk = None
            question.consultation = copy
            question.section = section_copy
            question.show_if_question = questions.get(parent) if parent else None
            question.save()
            questions[old_pk] = question
    record(
        "consultation.duplicate",
        actor=actor,
        target=copy,
        after={"from": source.pk, "title": copy.title},
    )
    return copy


@transaction.atomic
def add_attachment(
    actor: User, consultation: Consultation, upload: Any, name: str = ""
) -> ConsultationAttachment:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.attachments.count() >= files.MAX_ATTACHMENTS:
        raise files.attachment_error("too_many")
    extension, content_type = files.checked_kind(upload)
    stored = default_storage.save(f"consultations/{files.stored_name(extension)}", upload)
    # Django has no rollback hook: should the transaction fail from here, the file stays as
    # an orphan under a random name nobody can reach (a clean-up of orphans is left to do).
    label = (name or upload.name or "").strip()[:200] or _("Document")
    attachment = ConsultationAttachment.objects.create(
        consultation=consultation,
        file=stored,
        name=label,
        content_type=content_type,
        size=upload.size,
    )
    record(
        "consultation.attachment_add",
        actor=actor,
        target=consultation,
        after={"file": label},
    )
    return attachment


@transaction.atomic
def remove_attachment(actor: User, attachment: ConsultationAttachment) -> None:
    locked = ConsultationAttachment.objects.select_for_update().filter(pk=attachment.pk).first()
    if locked is None:
        return
    name, label, consultation = locked.file.name or "", locked.name, locked.consultation
    locked.delete()
    record(
        "consultation.attachment_remove",
        actor=actor,
        target=consultation,
        before={"file": label},
    )
    transaction.on_commit(partial(default_storage.delete, name))
