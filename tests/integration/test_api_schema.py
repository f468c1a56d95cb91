"""The API's OpenAPI schema validates, generates without a warning, and its page lists it all."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import set_urlconf
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tests.helpers import body
from townsite.api.schema import SchemaView

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


def test_the_schema_is_built_by_one_thread_at_a_time(monkeypatch) -> None:
    """drf-spectacular's build is not thread-safe (townsite.api.schema): four of gunicorn's
    threads asking at once take turns, and all four get it."""
    inside = most = 0
    counting = threading.Lock()
    build = SchemaGenerator.get_schema

    def counted(self: SchemaGenerator, *args: Any, **kwargs: Any) -> Any:
        nonlocal inside, most
        with counting:
            inside += 1
            most = max(most, inside)
        time.sleep(0.05)  # long enough for the others to arrive
        try:
            return build(self, *args, **kwargs)
        finally:
            with counting:
                inside -= 1

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    view = SchemaView.as_view()

    def fetch(_: int) -> int:
        set_urlconf(settings.ROOT_URLCONF)
        response = view(RequestFactory().get("/api/schema/", {"format": "json"}))
        return response.render().status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(fetch, range(4)))
    assert (statuses, most) == ([200] * 4, 1)
