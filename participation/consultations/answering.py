"""Residents' (and anonymous browsers') writes: an answer sent or changed, a draft kept, a copy
by email. One answer per person or browser, held by unique constraints as well as checked."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.mail import from_email_named, send_templated
from accounts.models import User
from participation.consultations import results_cache
from participation.consultations.access import NotAllowed, ensure_may_answer
from participation.consultations.answer_form import YES, Kind
from participation.consultations.models import (
    Consultation,
    ConsultationDraft,
    ConsultationResponse,
)
from tenants import schema
from tenants.addresses import town_url
from tenants.models import Collectivite
from townsite.models import ResidentProfile
from townsite.residents.placeholders import is_placeholder_email


def _owner(user: Any, browser_key: str) -> dict[str, Any]:
    """Whose answer or draft: the account when logged in, else the browser."""
    if user is not None and user.is_authenticated:
        return {"respondent": user}
    if not browser_key:
        raise NotAllowed(_("Your browser does not keep cookies: allow them to answer."))
    return {"respondent": None, "browser_key": browser_key}


def response_of(
    consultation: Consultation, user: Any, browser_key: str
) -> ConsultationResponse | None:
    if user is not None and user.is_authenticated:
        return consultation.responses.filter(respondent=user).first()
    if browser_key:
        return consultation.responses.filter(respondent=None, browser_key=browser_key).first()
    return None


def draft_of(consultation: Consultation, user: Any, browser_key: str) -> ConsultationDraft | None:
    if user is not None and user.is_authenticated:
        return consultation.drafts.filter(respondent=user).first()
    if browser_key:
        return consultation.drafts.filter(respondent=None, browser_key=browser_key).first()
    return None


@transaction.atomic
def submit_answer(
    consultation: Consultation, *, user: Any, browser_key: str, answers: dict[str, Any]
) -> tuple[ConsultationResponse, bool]:
    """Record this person's answer, or replace theirs; (response, created). The draft goes.

    Re-reads the consultation: it may have closed while the form was being filled in.
    """
    consultation = Consultation.objects.get(pk=consultation.pk)
    ensure_may_answer(user, consultation)
    owner = _owner(user, browser_key)
    existing = (
        ConsultationResponse.objects.select_for_update()
        .filter(consultation=consultation, **owner)
        .first()
    )
    ConsultationDraft.objects.filter(consultation=consultation, **owner).delete()
    if existing is not None:
        if existing.answers != answers:
            existing.answers = answers
            existing.save(update_fields=["answers", "updated_at"])
            results_cache.bump(consultation.pk)
        return existing, False
    neighbourhood_id = None
    if "respondent" in owner and owner["respondent"] is not None:
        neighbourhood_id = (
            ResidentProfile.objects.filter(user_id=user.pk)
            .values_list("neighbourhood_id", flat=True)
            .first()
        )
    try:
        with transaction.atomic():  # a savepoint: the same person answering twice at once
            response = ConsultationResponse.objects.create(
                consultation=consultation,
                answers=answers,
                neighbourhood_id=neighbourhood_id,
                **owner,
            )
    except IntegrityError:
        response = ConsultationResponse.objects.select_for_update().get(
            consultation=consultation, **owner
        )
        response.answers = answers
        response.save(update_fields=["answers", "updated_at"])
        results_cache.bump(consultation.pk)
        return response, False
    results_cache.bump(consultation.pk)
    return response, True


@transaction.atomic
def save_draft(
    consultation: Consultation, *, user: Any, browser_key: str, data: dict[str, Any]
) -> ConsultationDraft | None:
    """Keep what was typed so far (while the consultation is open); None when nothing to keep."""
    consultation = Consultation.objects.get(pk=consultation.pk)
    ensure_may_answer(user, consultation)
    owner = _owner(user, browser_key)
    draft = (
        ConsultationDraft.objects.select_for_update()
        .filter(consultation=consultation, **owner)
        .first()
    )
    if draft is None:
        if not data:
            return None
        try:
            with transaction.atomic():
                return ConsultationDraft.objects.create(
                    consultation=consultation, data=data, **owner
                )
        except IntegrityError:
            draft = ConsultationDraft.objects.select_for_update().get(
                consultation=consultation, **owner
            )
    if draft.data != data:
        draft.data = data
        draft.save(update_fields=["data", "saved_at"])
    return draft


def readable_answers(consultation: Consultation, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(question, answer) in words, for the confirmation page and the email copy."""
    rows = []
    for question in consultation.questions.all():
        value = answers.get(str(question.pk))
        if value in (None, "", []):
            continue
        if question.kind == Kind.YES_NO:
            text = _("Yes") if value == YES else _("No")
        elif question.kind == Kind.RANKING:
            text = ", ".join(f"{n}. {choice}" for n, choice in enumerate(value, start=1))
        elif isinstance(value, list):
            text = ", ".join(value)
        elif isinstance(value, dict):
            text = _("Other: %(text)s") % {"text": value.get("other", "")}
        else:
            text = str(value)
        rows.append((question.label, text))
    return rows


def send_copy(response: ConsultationResponse, user: User) -> bool:
    """Email the person a copy of their answer (queued after the commit, through Celery).
    False when their account has no address we can write to."""
    if response.respondent_id != user.pk or not user.email or is_placeholder_email(user.email):
        return False
    town = schema.current_tenant()
    if not isinstance(town, Collectivite):
        town = Collectivite.objects.get(schema_name=schema.current_schema())
    consultation = response.consultation
    with translation.override("fr"):
        rows = readable_answers(consultation, response.answers)
    path = reverse("consultations:detail", args=[consultation.key])
    send_templated(
        "participation/consultations/email/copy",
        {
            "name": user.display_name,
            "town_name": town.name,
            "title": consultation.title,
            "rows": rows,
            "url": town_url(town.slug, path),
            "closes_at": consultation.closes_at,
        },
        [user.email],
        subject_prefix=f"[{town.name}] ",
        from_email=from_email_named(town.name),
    )
    return True
