"""The API's OpenAPI schema validates, generates without a warning, and its page lists it all."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from tests.helpers import body

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/categories/": {"get"},
    "/api/v1/posts/": {"get", "post"},
    "/api/v1/posts/{id}/": {"get", "patch"},
    "/api/v1/conversations/": {"get", "post"},
    "/api/v1/conversations/{id}/": {"get"},
    "/api/v1/conversations/{id}/messages/": {"get", "post"},
    "/api/v1/conversations/{id}/read/": {"post"},
    "/api/v1/photos/{id}/": {"get"},
    "/api/v1/reports/": {"post"},
}


def served_schema(client, **query: str) -> dict:
    response = client.get("/api/schema/", {"format": "json", **query})
    assert response.status_code == 200
    schema: dict = response.json()
    return schema


def test_the_served_schema_is_valid_openapi_3(client_for, town_a) -> None:
    schema = served_schema(client_for(town_a))
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    found = {path: set(item) for path, item in schema["paths"].items()}
    assert {path: found.get(path, set()) & methods for path, methods in ENDPOINTS.items()} == (
        ENDPOINTS
    )
    assert set(schema["components"]["securitySchemes"]) == {"apiKey", "cookieAuth"}


def test_the_schema_generates_without_a_warning(tmp_path: Path) -> None:
    target = tmp_path / "schema.yaml"
    # --fail-on-warn: an endpoint drf-spectacular cannot describe fails here, not in a client.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert yaml.safe_load(target.read_text())["info"]["title"] == "Placette API"


def test_the_schema_speaks_french_and_english(client_for, town_a) -> None:
    client = client_for(town_a)
    french = served_schema(client)["paths"]["/api/v1/posts/"]["get"]
    english = served_schema(client, lang="en")["paths"]["/api/v1/posts/"]["get"]
    assert (french["summary"], english["summary"]) == ("Annonces", "Posts")


def test_the_documentation_page_lists_every_endpoint(client_for, town_a) -> None:
    response = client_for(town_a).get("/api/")
    assert response.status_code == 200
    page = body(response)
    assert "<h1>Documentation de l’API</h1>" in page
    for path, methods in ENDPOINTS.items():
        for method in methods:
            assert f"<code>{method.upper()} {path}</code>" in page
    assert 'href="/mon-compte/api/"' in page
