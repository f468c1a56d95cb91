"""GET /api/v1/consultations/<key>/results/: the published results for anyone who may read the
page, live results for the town's staff, 404 otherwise; in the OpenAPI schema."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from participation.consultations.factories import ResponseFactory
from participation.consultations.models import Consultation, ConsultationTextReview
from tests.api_support import API, call, make_key
from tests.consultation_support import closed_fields, every_kind, switch_module
from townsite.models import Neighbourhood

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(town_a):
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(title="Place du marché", **closed_fields())
        north = Neighbourhood.objects.create(name="Nord")
        responses = [
            ResponseFactory.create(
                consultation=consultation,
                respondent=UserFactory.create(),
                neighbourhood=north,
                answers={
                    str(q["single"].pk): "À pied",
                    str(q["long_text"].pk): f"Texte {n}",
                    str(q["number"].pk): str(n),
                },
            )
            for n in range(5)
        ]
        ConsultationTextReview.objects.create(
            response=responses[0], question=q["long_text"], text="Texte 0", decision="published"
        )
    return consultation, q, north


def _url(consultation):
    return f"{API}consultations/{consultation.key}/results/"


def _publish(town, consultation):
    with schema_context(town.schema_name):
        Consultation.objects.filter(pk=consultation.pk).update(
            results_published_at=consultation.closes_at
        )


def test_published_results_for_a_guest(client_for, town_a, closed) -> None:
    consultation, q, north = closed
    _publish(town_a, consultation)
    response = client_for(town_a).get(_url(consultation))
    assert response.status_code == 200
    data = response.json()
    assert (data["title"], data["published"], data["answers"], data["paper_answers"]) == (
        "Place du marché",
        True,
        5,
        0,
    )
    assert data["neighbourhoods"] == [{"id": north.pk, "name": "Nord", "answers": 5}]
    by_id = {question["id"]: question for question in data["questions"]}
    single = by_id[q["single"].pk]
    assert single["rows"][0] == {
        "label": "À pied",
        "count": 5,
        "percent": 100.0,
        "average_rank": "",
        "firsts": 0,
    }
    assert by_id[q["long_text"].pk]["texts"] == ["Texte 0"]  # only the published one
    assert by_id[q["long_text"].pk]["texts_total"] == 1
    assert {"label": "Médiane", "value": "2"} in by_id[q["number"].pk]["summary"]
    assert client_for(town_a).get(_url(consultation), {"neighbourhood": north.pk}).json()[
        "neighbourhood"
    ] == {"id": north.pk, "name": "Nord", "answers": 5}


def test_unpublished_results_are_not_found_but_for_staff(
    client_for, town_a, resident_a, admin_a, closed
) -> None:
    consultation, q, _north = closed
    assert client_for(town_a).get(_url(consultation)).status_code == 404
    assert client_for(town_a, resident_a).get(_url(consultation)).status_code == 404
    key = make_key(town_a, resident_a)
    assert call(client_for(town_a), "get", _url(consultation), key=key).status_code == 404
    live = call(client_for(town_a), "get", _url(consultation), key=make_key(town_a, admin_a))
    assert live.status_code == 200
    data = live.json()
    assert data["published"] is False
    texts = {question["id"]: question["texts"] for question in data["questions"]}
    assert texts[q["long_text"].pk] == [f"Texte {n}" for n in range(5)]  # staff read them all


def test_an_unknown_key_or_the_module_off_is_not_found(client_for, town_a, closed) -> None:
    consultation, _q, _north = closed
    _publish(town_a, consultation)
    assert client_for(town_a).get(f"{API}consultations/nope/results/").status_code == 404
    with schema_context(town_a.schema_name):
        switch_module(False)
    assert client_for(town_a).get(_url(consultation)).status_code == 404


def test_the_endpoint_is_in_the_schema(client_for, town_a) -> None:
    schema = client_for(town_a).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/consultations/{key}/results/"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/ConsultationResults"
    )
