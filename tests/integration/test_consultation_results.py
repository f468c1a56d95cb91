"""Staff's live results: counts and percentages per question in data tables, in a constant
number of queries as answers grow."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from participation.consultations.factories import ResponseFactory
from participation.consultations.results import results_for
from tests.consultation_support import every_kind
from tests.helpers import body

pytestmark = pytest.mark.django_db


def _answers(q, single, multiple, ranking, number, text):
    return {
        str(q["single"].pk): single,
        str(q["multiple"].pk): multiple,
        str(q["ranking"].pk): ranking,
        str(q["number"].pk): number,
        str(q["long_text"].pk): text,
    }


def test_counts_and_percentages_per_question(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind()
        rows = [
            ("À pied", ["Marché"], ["Arbres", "Bancs", "Fontaine"], "2", "<b>Ombre</b>"),
            ("À pied", ["Marché", "Café"], ["Bancs", "Arbres", "Fontaine"], "4", ""),
            ("À vélo", ["Café"], ["Arbres", "Fontaine", "Bancs"], "9", ""),
            ({"other": "En trottinette"}, [], [], "", ""),
        ]
        for row in rows:
            ResponseFactory.create(
                consultation=consultation,
                respondent=UserFactory.create(),
                answers=_answers(q, *row),
            )
        total, results = results_for(consultation)
    assert total == 4
    by_question = {result.question.pk: result for result in results}
    single = by_question[q["single"].pk]
    assert [(r.label, r.count, r.percent) for r in single.rows] == [
        ("À pied", 2, 50.0),
        ("À vélo", 1, 25.0),
        ("En voiture", 0, 0.0),
        ("Autre", 1, 25.0),
    ]
    assert single.texts == ["En trottinette"]
    multiple = by_question[q["multiple"].pk]
    assert multiple.answered == 3
    assert [(r.label, r.count, r.percent) for r in multiple.rows][:2] == [
        ("Marché", 2, 66.7),
        ("Café", 2, 66.7),
    ]
    ranking = by_question[q["ranking"].pk]
    assert [(r.label, r.count) for r in ranking.rows] == [
        ("Arbres", 2),
        ("Bancs", 1),
        ("Fontaine", 0),
    ]
    assert ("Rang moyen de « Arbres »", "1,3") in ranking.summary
    assert by_question[q["number"].pk].summary == [
        ("Minimum", "2"),
        ("Maximum", "9"),
        ("Moyenne", "5"),
    ]
    page = body(admin.get(f"/administration/consultations/{consultation.pk}/resultats/"))
    assert "4 réponses pour l’instant." in page
    assert re.search(r'<th scope="row">À pied</th><td>2</td><td>50 %</td>', page)
    assert "&lt;b&gt;Ombre&lt;/b&gt;" in page and "<b>Ombre</b>" not in page


@pytest.mark.parametrize("size", [2, 20])
def test_the_results_page_runs_a_constant_number_of_queries(
    admin, town_a, size, django_assert_num_queries
) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind()
        for n in range(size):
            ResponseFactory.create(
                consultation=consultation,
                respondent=UserFactory.create(),
                answers=_answers(
                    q, "À pied", ["Café"], ["Bancs", "Arbres", "Fontaine"], str(n), "x"
                ),
            )
    url = f"/administration/consultations/{consultation.pk}/resultats/"
    admin.get(url)  # warm: the session and the town's look are cached after the first page
    with django_assert_num_queries(QUERIES):
        assert admin.get(url).status_code == 200


# Session, user, consultation, questions, answers, billing state, unread count: 7 queries, each
# after django-tenants' SET search_path.
QUERIES = 14
