"""Staff review the written answers, one by one or a page at a time: only those published show
on the published results, a text changed meanwhile is not decided, each review is logged."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from participation.consultations import reviews
from participation.consultations.factories import ResponseFactory
from participation.consultations.models import (
    Consultation,
    ConsultationTextReview,
)
from tenants.models import AuditEntry
from tests.consultation_support import closed_fields, every_kind
from tests.helpers import body

pytestmark = pytest.mark.django_db
TEXTS = ("Plus d'arbres, merci", "Appelez Jean Dupont au 06 12 34 56 78", "Des bancs à l'ombre")


@pytest.fixture
def written(town_a):
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(title="Place des Tilleuls", **closed_fields())
        responses = [
            ResponseFactory.create(
                consultation=consultation,
                respondent=UserFactory.create(),
                answers={str(q["long_text"].pk): text},
            )
            for text in TEXTS
        ]
        Consultation.objects.filter(pk=consultation.pk).update(
            results_published_at=consultation.closes_at
        )
    return consultation, q, responses


def _screen(consultation, status="to_review"):
    return f"/administration/consultations/{consultation.pk}/textes/?statut={status}"


def _form(q, decisions, responses, texts=TEXTS):
    data: dict[str, Any] = {"item": []}
    for response, text, decision in zip(responses, texts, decisions, strict=True):
        name = f"t-{response.pk}-{q['long_text'].pk}"
        data["item"].append(name)
        data[f"h-{response.pk}-{q['long_text'].pk}"] = reviews.fingerprint(text)
        if decision:
            data[name] = decision
    return data


def test_the_screen_lists_the_texts_to_review(admin, written) -> None:
    consultation, _q, _responses = written
    page = body(admin.get(_screen(consultation)))
    assert "À relire (3)" in page
    for text in TEXTS:
        assert text.replace("'", "&#x27;") in page


def test_publish_and_withhold_one_by_one(admin, client_for, town_a, written) -> None:
    consultation, q, responses = written
    data = _form(q, ["published", "withheld", ""], responses)
    page = body(admin.post(_screen(consultation), data, follow=True))
    assert "2 décisions enregistrées." in page
    with schema_context(town_a.schema_name):
        decisions = dict(ConsultationTextReview.objects.values_list("response_id", "decision"))
        assert decisions == {responses[0].pk: "published", responses[1].pk: "withheld"}
        [entry] = AuditEntry.objects.filter(action="consultation.text_review")
        assert entry.after == {"published": 1, "withheld": 1}
    assert "À relire (1)" in page
    published = body(client_for(town_a).get(f"/consultations/{consultation.key}/resultats/"))
    assert "Plus d&#x27;arbres, merci" in published
    assert "Jean Dupont" not in published and "Des bancs" not in published
    assert "1 réponse publiée par la commune" in published


def test_a_whole_page_at_once(admin, town_a, written) -> None:
    consultation, q, responses = written
    data = {**_form(q, ["", "", ""], responses), "all": "published"}
    assert "3 décisions enregistrées." in body(admin.post(_screen(consultation), data, follow=True))
    with schema_context(town_a.schema_name):
        assert ConsultationTextReview.objects.filter(decision="published").count() == 3


def test_a_text_changed_while_read_is_not_decided(admin, town_a, written) -> None:
    consultation, q, responses = written
    with schema_context(town_a.schema_name):
        changed = responses[0]
        changed.answers = {str(q["long_text"].pk): "Appelez-moi au 06 00 00 00 00"}
        changed.save(update_fields=["answers"])
    data = _form(q, ["published", "", ""], responses)  # the fingerprint of the old text
    page = body(admin.post(_screen(consultation), data, follow=True))
    assert "1 réponse a changé pendant que vous la lisiez : elle reste à relire." in page
    with schema_context(town_a.schema_name):
        assert not ConsultationTextReview.objects.exists()
        assert not AuditEntry.objects.filter(action="consultation.text_review").exists()


def test_a_text_changed_after_review_comes_back_to_review(admin, admin_a, town_a, written) -> None:
    consultation, q, responses = written
    with schema_context(town_a.schema_name):
        outcome = reviews.review_texts(
            admin_a,
            consultation,
            [
                reviews.Verdict(
                    responses[0].pk, q["long_text"].pk, "published", reviews.fingerprint(TEXTS[0])
                )
            ],
        )
        assert outcome == reviews.Outcome(decided=1, stale=0)
        again = reviews.review_texts(
            admin_a,
            consultation,
            [
                reviews.Verdict(
                    responses[0].pk, q["long_text"].pk, "published", reviews.fingerprint(TEXTS[0])
                )
            ],
        )
        assert again == reviews.Outcome(decided=0, stale=0)  # nothing changed, nothing written
        assert AuditEntry.objects.filter(action="consultation.text_review").count() == 1
        responses[0].answers = {str(q["long_text"].pk): "Autre chose"}
        responses[0].save(update_fields=["answers"])
        to_review = reviews.with_status(reviews.texts_of(consultation), "to_review")
    assert {(t.response_id, t.changed_since_review) for t in to_review} >= {(responses[0].pk, True)}


def test_a_bad_decision_is_refused_and_nothing_saved(admin, town_a, written) -> None:
    consultation, q, responses = written
    data = _form(q, ["maybe", "", ""], responses)
    page = body(admin.post(_screen(consultation), data, follow=True))
    assert "Choisissez « publier » ou « ne pas publier » pour chaque réponse." in page
    with schema_context(town_a.schema_name):
        assert not ConsultationTextReview.objects.exists()


def test_another_consultations_answer_cannot_be_decided_here(admin, town_a, written) -> None:
    consultation, q, _responses = written
    with schema_context(town_a.schema_name):
        other, q2 = every_kind()
        foreign = ResponseFactory.create(
            consultation=other, answers={str(q2["long_text"].pk): "Ailleurs"}
        )
    name = f"t-{foreign.pk}-{q2['long_text'].pk}"
    data = {"item": [name], name: "published", f"h{name[1:]}": reviews.fingerprint("Ailleurs")}
    assert "0 décision enregistrée." in body(admin.post(_screen(consultation), data, follow=True))
    with schema_context(town_a.schema_name):
        assert not ConsultationTextReview.objects.exists()
