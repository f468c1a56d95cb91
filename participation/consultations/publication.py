"""Staff's writes on what a closed consultation shows: its results published (or withdrawn),
and the town's conclusion ("what we will do"), told to every participant once published.

Each locks and re-reads the consultation, writes only what changed and its audit entry; the
participants are told after the commit, by a task (participation.consultations.conclusion).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from accounts.models import User
from participation.consultations import results_cache
from participation.consultations.access import is_staff
from participation.consultations.models import Consultation
from participation.consultations.richtext import sanitise
from tenants.audit import record


def get_results_for(user: Any, key: str) -> Consultation:
    """The consultation whose published results this person may read; else 404. Published
    results are for anyone on the town's site, guests included; staff also preview them
    before publishing."""
    found = Consultation.objects.filter(key=key).first()
    if found is None:
        raise Http404
    if is_staff(user):
        return found
    if found.published_at is None or found.results_published_at is None:
        raise Http404
    return found


def _locked(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


def _ensure_closed(consultation: Consultation, refusal: str) -> None:
    if not consultation.is_published or consultation.phase() != "closed":
        raise ValidationError(refusal, code="not_closed")


@transaction.atomic
def publish_results(actor: User, consultation: Consultation) -> Consultation:
    """Anyone on the town's site may read the results from now on (guests too)."""
    consultation = _locked(consultation)
    if consultation.results_published_at is not None:
        return consultation
    _ensure_closed(
        consultation,
        _(
            "The results can be published only once the consultation is closed, "
            "so that nobody answers knowing how others did."
        ),
    )
    consultation.results_published_at = timezone.now()
    consultation.save(update_fields=["results_published_at"])
    record("consultation.results_publish", actor=actor, target=consultation)
    results_cache.bump(consultation.pk)
    return consultation


@transaction.atomic
def unpublish_results(actor: User, consultation: Consultation) -> Consultation:
    """Only staff see the results again (the conclusion, if published, stays)."""
    consultation = _locked(consultation)
    if consultation.results_published_at is None:
        return consultation
    before = {"results_published_at": consultation.results_published_at.isoformat()}
    consultation.results_published_at = None
    consultation.save(update_fields=["results_published_at"])
    record("consultation.results_unpublish", actor=actor, target=consultation, before=before)
    results_cache.bump(consultation.pk)
    return consultation


def clean_conclusion(html: str) -> str:
    """The conclusion with only the allowed tags kept; refused when no text is left."""
    cleaned = sanitise(html or "")
    if not strip_tags(cleaned).replace("&nbsp;", " ").strip():
        raise ValidationError(
            {"conclusion_html": _("Write the conclusion: what the town will do now.")},
            code="empty",
        )
    return cleaned


@transaction.atomic
def save_conclusion(
    actor: User, consultation: Consultation, html: str, *, publish: bool = False
) -> Consultation:
    """Keep the conclusion (a draft until published); with `publish`, show it and tell every
    participant. Changing a published conclusion tells nobody again: a correction is not
    news, and the participants were told where to read it."""
    cleaned = clean_conclusion(html)
    consultation = _locked(consultation)
    if publish and consultation.conclusion_published_at is None:
        _ensure_closed(
            consultation,
            _("The conclusion can be published only once the consultation is closed."),
        )
    changed = []
    before: dict[str, str] = {}
    if cleaned != consultation.conclusion_html:
        before["conclusion_html"] = consultation.conclusion_html
        consultation.conclusion_html = cleaned
        changed.append("conclusion_html")
    newly_published = publish and consultation.conclusion_published_at is None
    if newly_published:
        consultation.conclusion_published_at = timezone.now()
        changed.append("conclusion_published_at")
    if not changed:
        return consultation
    consultation.save(update_fields=changed)
    after = {"conclusion_html": cleaned} if "conclusion_html" in changed else {}
    if newly_published:
        record("consultation.conclusion_publish", actor=actor, target=consultation, after=after)
        from participation.consultations.conclusion import notify_conclusion

        transaction.on_commit(partial(notify_conclusion.delay, consultation.pk))
    else:
        record(
            "consultation.conclusion_change",
            actor=actor,
            target=consultation,
            before=before,
            after=after,
        )
    results_cache.bump(consultation.pk)
    return consultation
