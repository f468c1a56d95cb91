"""The demo towns' consultations: an open one asking every kind of question, a condition
included, with about forty answers (some on paper), and a closed one with answers, its remarks
reviewed, its results and conclusion published and told to its participants; seen by a
resident and a guest; and running the demo twice adds nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from notifications.models import Notification
from participation.consultations import conclusion
from participation.consultations.demo import CLOSED_TITLE, OPEN_TITLE, REMARKS
from participation.consultations.models import (
    Consultation,
    ConsultationQuestion,
    ConsultationResponse,
)
from participation.consultations.text_reviews import published_texts
from tenants.models import Collectivite
from tests.directory_sample import load_directory_sample
from tests.helpers import body

pytestmark = pytest.mark.django_db
PAPER = ConsultationResponse.Channel.PAPER


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Consultation, ConsultationQuestion, ConsultationResponse)
    }


def test_the_demo_towns_get_an_open_and_a_closed_consultation_once(
    settings: Any, tmp_path: Path, client_for: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    load_directory_sample()
    call_command("seed_demo", stdout=io.StringIO())
    chavenay = Collectivite.objects.get(slug="chavenay")
    with schema_context(chavenay.schema_name):
        first = _counts()
        open_one = Consultation.objects.get(title=OPEN_TITLE)
        closed = Consultation.objects.get(title=CLOSED_TITLE)
        assert (open_one.phase(), closed.phase()) == ("open", "closed")
        assert open_one.is_published and closed.is_published
        kinds = set(open_one.questions.values_list("kind", flat=True))
        assert kinds == set(ConsultationQuestion.Kind.values)
        assert open_one.questions.filter(show_if_question__isnull=False).count() == 1
        answers = open_one.responses
        assert 35 <= answers.count() <= 45
        assert answers.filter(channel=PAPER, entered_by__role=User.Role.ADMIN).count() == 12
        neighbours = User.objects.filter(
            role=User.Role.RESIDENT, email__endswith="@chavenay.example", is_active=True
        ).count()
        assert answers.filter(respondent__isnull=False).count() == neighbours > 2
        assert answers.filter(respondent__isnull=True, channel="online").count() == 17
        # Answered over the days it was open, not all at the moment of seeding.
        days = {timezone.localtime(a.submitted_at).date() for a in answers.all()}
        assert len(days) > 3
        assert all(open_one.opens_at <= a.submitted_at <= timezone.now() for a in answers.all())
        assert closed.responses.filter(channel=PAPER).count() == 9
        assert all(a.submitted_at <= closed.closes_at for a in closed.responses.all())
        assert open_one.results_published_at is None
        assert closed.results_published_at and closed.conclusion_published_at
        assert "mercredi jusqu’à 19 h" in closed.conclusion_html
        remarks = published_texts(closed)
        assert remarks and set(remarks.values()) <= set(REMARKS)
        resident = User.objects.get(email="camille@chavenay.example")
        # Its participants are told by the task sent after the seed's commit (never run here:
        # the test's transaction does not commit); run it as the worker would.
        participants = set(closed.responses.values_list("respondent_id", flat=True)) - {None}
        assert conclusion.tell_participants(closed.pk) == len(participants) > 2
        told = Notification.objects.filter(kind="participation.consultation_conclusion")
        assert set(told.values_list("recipient_id", flat=True)) == participants
    page = body(client_for(chavenay, resident).get("/consultations/"))
    assert OPEN_TITLE in page and CLOSED_TITLE in page
    results = body(client_for(chavenay).get(f"/consultations/{closed.key}/resultats/"))
    assert "mercredi jusqu’à 19 h" in results and next(iter(remarks.values())) in results
    call_command("seed_demo", stdout=io.StringIO())
    with schema_context(chavenay.schema_name):
        assert _counts() == first
