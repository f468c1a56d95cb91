"""Participation's endpoints are in the one OpenAPI schema, which still validates, and on the
API's documentation page, in French."""

from __future__ import annotations

import pytest
from drf_spectacular.validation import validate_schema

from tests.helpers import body

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/consultations/": {"get"},
    "/api/v1/consultations/{key}/": {"get"},
    "/api/v1/consultations/{key}/answer/": {"get", "post"},
    "/api/v1/consultations/{key}/attachments/{attachment}/": {"get"},
    "/api/v1/consultations/{key}/results/": {"get"},
    "/api/v1/idea-categories/": {"get"},
    "/api/v1/ideas/": {"get", "post"},
    "/api/v1/ideas/{id}/": {"get"},
    "/api/v1/ideas/{id}/comments/": {"get", "post"},
    "/api/v1/ideas/{id}/support/": {"post", "delete"},
    "/api/v1/ideas/{id}/follow/": {"post", "delete"},
    "/api/v1/ideas/{id}/image/": {"get"},
    "/api/v1/idea-comments/{id}/": {"patch", "delete"},
}
METHODS = {"get", "post", "put", "patch", "delete"}


def served_schema(client, **query: str) -> dict:
    response = client.get("/api/schema/", {"format": "json", **query})
    assert response.status_code == 200
    schema: dict = response.json()
    return schema


def test_the_schema_has_participations_endpoints_and_validates(client_for, town_a) -> None:
    schema = served_schema(client_for(town_a))
    validate_schema(schema)
    ours = {
        path: {method for method in item if method in METHODS}
        for path, item in schema["paths"].items()
        if path.startswith(("/api/v1/consultations/", "/api/v1/idea"))
    }
    assert ours == ENDPOINTS


def test_the_answer_and_the_idea_say_what_they_take(client_for, town_a) -> None:
    schema = served_schema(client_for(town_a))
    answer = schema["paths"]["/api/v1/consultations/{key}/answer/"]["post"]
    assert "il faut un compte, même pour une consultation ouverte à tous" in answer["description"]
    assert set(answer["responses"]) == {"200", "201", "400", "403"}
    submit = schema["paths"]["/api/v1/ideas/"]["post"]["requestBody"]["content"]
    assert set(submit) == {"application/json", "multipart/form-data"}
    support = schema["paths"]["/api/v1/ideas/{id}/support/"]["post"]
    assert set(support["responses"]) == {"200", "403", "409"}
    sorts = {p["name"]: p for p in schema["paths"]["/api/v1/ideas/"]["get"]["parameters"]}
    assert sorted(sorts["sort"]["schema"]["enum"]) == [
        "answered",
        "discussed",
        "newest",
        "supported",
    ]
    assert {"q", "category", "neighbourhood", "status", "page", "page_size"} <= set(sorts)


def test_the_schema_speaks_french_and_english(client_for, town_a) -> None:
    client = client_for(town_a)
    french = served_schema(client)["paths"]["/api/v1/ideas/"]["post"]
    english = served_schema(client, lang="en")["paths"]["/api/v1/ideas/"]["post"]
    assert (french["summary"], english["summary"]) == ("Proposer une idée", "Submit an idea")


def test_the_documentation_page_lists_participations_endpoints(client_for, town_a) -> None:
    page = body(client_for(town_a).get("/api/"))
    for path, methods in ENDPOINTS.items():
        for method in methods:
            assert f"<code>{method.upper()} {path}</code>" in page
