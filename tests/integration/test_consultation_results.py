"""Staff's live results: counts and percentages per question, each chart with its data table,
paper answers counted and told apart, filters by neighbourhood, in a constant number of queries
as answers grow, cached until an answer changes them."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from participation.consultations import answering
from participation.consultations.factories import ResponseFactory
from participation.consultations.models import ConsultationResponse
from participation.consultations.results import Answer, compute
from tests.consultation_support import every_kind
from tests.helpers import body
from townsite.models import Neighbourhood

pytestmark = pytest.mark.django_db


def _answers(q, single, multiple, ranking, number, text, scale=""):
    return {
        str(q["single"].pk): single,
        str(q["multiple"].pk): multiple,
        str(q["ranking"].pk): ranking,
        str(q["number"].pk): number,
        str(q["long_text"].pk): text,
        str(q["scale"].pk): scale,
    }


ROWS = [
    ("À pied", ["Marché"], ["Arbres", "Bancs", "Fontaine"], "2", "<b>Ombre</b>", "8"),
    ("À pied", ["Marché", "Café"], ["Bancs", "Arbres", "Fontaine"], "4", "", "6"),
    ("À vélo", ["Café"], ["Arbres", "Fontaine", "Bancs"], "9", "", "10"),
    ({"other": "En trottinette"}, [], [], "", "", "3"),
]


def _results(consultation):
    questions = list(consultation.questions.all())
    rows = consultation.responses.order_by("pk").values_list(
        "pk", "answers", "channel", "neighbourhood_id"
    )
    results = compute(questions, [Answer(*row) for row in rows])
    return results, {result.question_id: result for result in results.questions}


@pytest.fixture
def answered(town_a):
    with schema_context(town_a.schema_name):
        consultation, q = every_kind()
        for row in ROWS:
            ResponseFactory.create(
                consultation=consultation,
                respondent=UserFactory.create(),
                answers=_answers(q, *row),
            )
    return consultation, q


def test_counts_and_percentages_per_choice(town_a, answered) -> None:
    consultation, q = answered
    with schema_context(town_a.schema_name):
        results, by_question = _results(consultation)
    assert results.total == 4
    single = by_question[q["single"].pk]
    assert [(r.label, r.count, r.percent) for r in single.rows] == [
        ("À pied", 2, 50.0),
        ("À vélo", 1, 25.0),
        ("En voiture", 0, 0.0),
        ("Autre", 1, 25.0),
    ]
    assert single.texts == ["En trottinette"]
    assert [(g.label, [b.value for b in g.bars]) for g in single.chart.groups][:2] == [
        ("À pied", [2]),
        ("À vélo", [1]),
    ]
    multiple = by_question[q["multiple"].pk]
    assert multiple.answered == 3
    assert [(r.label, r.count, r.percent) for r in multiple.rows][:2] == [
        ("Marché", 2, 66.7),
        ("Café", 2, 66.7),
    ]


def test_a_scale_gives_its_distribution_mean_and_median(town_a, answered) -> None:
    consultation, q = answered
    with schema_context(town_a.schema_name):
        _results_, by_question = _results(consultation)
    scale = by_question[q["scale"].pk]
    assert [r.label for r in scale.rows] == [str(n) for n in range(11)]
    assert {r.label: r.count for r in scale.rows if r.count} == {"3": 1, "6": 1, "8": 1, "10": 1}
    assert scale.summary == [("Moyenne", "6,75"), ("Médiane", "7")]


def test_a_ranking_gives_points_average_rank_and_firsts(town_a, answered) -> None:
    consultation, q = answered
    with schema_context(town_a.schema_name):
        _results_, by_question = _results(consultation)
    ranking = by_question[q["ranking"].pk]
    # 3 options: a first place is worth 3 points, a second 2, a third 1.
    assert [(r.label, r.count, r.average_rank, r.firsts) for r in ranking.rows] == [
        ("Arbres", 3 + 2 + 3, "1,33", 2),
        ("Bancs", 2 + 3 + 1, "2", 1),
        ("Fontaine", 1 + 1 + 2, "2,67", 0),
    ]


def test_numbers_give_lowest_median_average_highest(town_a, answered) -> None:
    consultation, q = answered
    with schema_context(town_a.schema_name):
        _results_, by_question = _results(consultation)
    assert by_question[q["number"].pk].summary == [
        ("Minimum", "2"),
        ("Médiane", "4"),
        ("Moyenne", "5"),
        ("Maximum", "9"),
    ]


def test_the_page_shows_each_chart_with_its_table_and_escapes_texts(admin, answered) -> None:
    consultation, q = answered
    page = body(admin.get(f"/administration/consultations/{consultation.pk}/resultats/"))
    assert "4 réponses en tout." in page
    # single, multiple, ranking, scale (nobody answered yes/no: no chart)
    assert page.count('<figure class="chart"') == 4
    assert f'id="chart-{q["single"].pk}-caption"' in page
    assert re.search(
        r'<th scope="row">À pied</th><td class="number">2</td><td class="number">50 %</td>', page
    )
    assert "Points" in page and "Rang moyen" in page
    assert "&lt;b&gt;Ombre&lt;/b&gt;" in page and "<b>Ombre</b>" not in page
    assert "1 réponse écrite attend votre décision avant de pouvoir être publiée." in page


def test_paper_answers_count_and_are_told_apart(admin, town_a, answered, admin_a) -> None:
    consultation, q = answered
    with schema_context(town_a.schema_name):
        ResponseFactory.create(
            consultation=consultation,
            channel=ConsultationResponse.Channel.PAPER,
            entered_by=admin_a,
            answers={str(q["single"].pk): "En voiture"},
        )
        _results_, by_question = _results(consultation)
    assert [(r.label, r.count) for r in by_question[q["single"].pk].rows][2] == ("En voiture", 1)
    page = body(admin.get(f"/administration/consultations/{consultation.pk}/resultats/"))
    assert "5 réponses en tout." in page
    assert "Dont 1 réponse donnée sur papier à la mairie." in page


def test_staff_filter_by_neighbourhood_even_a_small_one(admin, town_a, answered) -> None:
    consultation, q = answered
    with schema_context(town_a.schema_name):
        north = Neighbourhood.objects.create(name="Quartier Nord")
        first = consultation.responses.order_by("pk").first()
        first.neighbourhood = north
        first.save(update_fields=["neighbourhood"])
    url = f"/administration/consultations/{consultation.pk}/resultats/"
    page = body(admin.get(url, {"quartier": north.pk}))
    assert f'<option value="{north.pk}" selected>Quartier Nord (1 réponse)</option>' in page
    assert "Quartier Nord : 1 réponse." in page
    assert re.search(r'<th scope="row">À pied</th><td class="number">1</td>', page)


def test_an_answer_shows_at_once_though_the_results_are_cached(
    admin, town_a, answered, resident_a, django_capture_on_commit_callbacks
) -> None:
    consultation, q = answered
    url = f"/administration/consultations/{consultation.pk}/resultats/"
    assert "4 réponses en tout." in body(admin.get(url))
    assert "4 réponses en tout." in body(admin.get(url))  # from the cache
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        answering.submit_answer(
            consultation,
            user=resident_a,
            browser_key="",
            answers={str(q["single"].pk): "En voiture"},
        )
    assert "5 réponses en tout." in body(admin.get(url))


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("cached", [False, True])
def test_the_results_page_runs_a_constant_number_of_queries(
    admin, town_a, size, cached, django_assert_num_queries
) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind()
        north = Neighbourhood.objects.create(name="Quartier Nord")
        for n in range(size):
            ResponseFactory.create(
                consultation=consultation,
                respondent=UserFactory.create(),
                neighbourhood=north,
                answers=_answers(
                    q, "À pied", ["Café"], ["Bancs", "Arbres", "Fontaine"], str(n), "x"
                ),
            )
    url = f"/administration/consultations/{consultation.pk}/resultats/"
    admin.get(url)  # warm: the session and the town's look are cached after the first page
    if not cached:
        from django.core.cache import cache

        cache.delete(f"consultations:results:v:{consultation.pk}")
    with django_assert_num_queries(QUERIES if cached else QUERIES + COMPUTING):
        assert admin.get(url).status_code == 200


# Session, user, consultation, billing state, unread count: 5 queries, each after django-tenants'
# SET search_path. Computing (cache cold): the answers, their neighbourhoods, the questions,
# the reviews (for the count of texts to review).
QUERIES = 10
COMPUTING = 8


@pytest.mark.parametrize("size", [5, 30])  # 5: a neighbourhood's results show from 5 answers
@pytest.mark.parametrize("cached", [False, True])
def test_the_published_page_runs_a_constant_number_of_queries(
    client_for, town_a, size, cached, django_assert_num_queries
) -> None:
    from django.core.cache import cache

    from participation.consultations.models import Consultation, ConsultationTextReview
    from tests.consultation_support import closed_fields

    with schema_context(town_a.schema_name):
        consultation, q = every_kind(**closed_fields())
        Consultation.objects.filter(pk=consultation.pk).update(
            results_published_at=consultation.closes_at
        )
        north = Neighbourhood.objects.create(name="Quartier Nord")
        for n in range(size):
            response = ResponseFactory.create(
                consultation=consultation,
                respondent=UserFactory.create(),
                neighbourhood=north,
                answers=_answers(q, "À pied", ["Café"], ["Bancs", "Arbres"], str(n), f"Texte {n}"),
            )
            ConsultationTextReview.objects.create(
                response=response, question=q["long_text"], text=f"Texte {n}", decision="published"
            )
    guest = client_for(town_a)
    for url, computing in (
        (f"/consultations/{consultation.key}/resultats/", 8),
        (f"/consultations/{consultation.key}/resultats/?quartier={north.pk}", 12),
    ):
        guest.get(url)
        if not cached:
            cache.delete(f"consultations:results:v:{consultation.pk}")
        # The consultation; cold, the answers, their neighbourhoods, the questions and the
        # published texts (filtered: the groups' answers and neighbourhoods first), each after
        # django-tenants' SET search_path.
        with django_assert_num_queries(2 if cached else 2 + computing):
            assert f"Texte {size - 1}" in body(guest.get(url))


@pytest.mark.parametrize("size", [3, 30])
def test_the_review_screen_runs_a_constant_number_of_queries(
    admin, town_a, size, django_assert_num_queries
) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind()
        for n in range(size):
            ResponseFactory.create(
                consultation=consultation, answers={str(q["long_text"].pk): f"Texte {n}"}
            )
    url = f"/administration/consultations/{consultation.pk}/textes/"
    admin.get(url)
    # Session, user, consultation, text questions, reviews, answers, billing, unread count.
    with django_assert_num_queries(16):
        assert f"Texte {size - 1}" in body(admin.get(url))
