"""Values in a link or the API's query that PostgreSQL or int() cannot take (a NUL character,
a superscript digit): the lists ignore them as they ignore any bad filter, never a 500.
schemathesis found the first in `make prod-check` (GET /api/v1/ideas/?category=%00)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from mutual_aid.factories import PostFactory
from participation.consultations.factories import ConsultationFactory
from participation.ideas.factories import IdeaFactory
from tests.api_support import API, call

pytestmark = pytest.mark.django_db

BAD = [
    {"q": "pain\x00frais"},
    {"category": "autre\x00"},
    {"category": "épicerie"},
    {"neighbourhood": "²"},
]


@pytest.fixture
def reader(client_for, town_a, resident_a):
    return client_for(town_a, resident_a)


@pytest.mark.parametrize("query", BAD)
def test_the_api_lists_posts_whatever_the_filters(town_a, reader, query) -> None:
    with schema_context(town_a.schema_name):
        PostFactory.create(title="Du pain frais")
    response = call(reader, "get", API + "posts/", query)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("query", BAD)
def test_the_api_lists_ideas_whatever_the_filters(town_a, reader, query) -> None:
    with schema_context(town_a.schema_name):
        IdeaFactory.create(title="Du pain frais")
    response = call(reader, "get", API + "ideas/", query)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", ["/entraide/", "/idees/"])
@pytest.mark.parametrize("query", BAD)
def test_the_pages_list_whatever_the_filters(reader, path, query) -> None:
    assert reader.get(path, query).status_code == 200


def test_a_nul_in_the_search_still_searches_its_words(town_a, reader) -> None:
    with schema_context(town_a.schema_name):
        PostFactory.create(title="Du pain frais")
        PostFactory.create(title="Tondre la pelouse")
    response = call(reader, "get", API + "posts/", {"q": "pain\x00frais"})
    assert [post["title"] for post in response.json()["results"]] == ["Du pain frais"]


def test_similar_ideas_with_a_nul_in_the_title(town_a, reader) -> None:
    with schema_context(town_a.schema_name):
        IdeaFactory.create(title="Un composteur partagé")
    response = reader.get("/idees/semblables/", {"title": "composteur\x00partagé"})
    assert response.status_code == 200
    assert "Un composteur partagé" in response.content.decode()


def test_live_results_with_a_superscript_neighbourhood(client_for, town_a, admin_a) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create()
    staff = client_for(town_a, admin_a)
    url = f"{API}consultations/{consultation.key}/results/"
    assert call(staff, "get", url, {"neighbourhood": "²"}).status_code == 200
