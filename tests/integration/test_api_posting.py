"""Publishing and changing posts through the API: the posting services, their French errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from mutual_aid.factories import PostFactory, category
from mutual_aid.models import Post
from tenants.models import AuditEntry, Collectivite
from tests.api_support import API, call, make_key
from tests.audit_support import clear_journal, only_entry
from townsite.moderation import services as moderation

pytestmark = pytest.mark.django_db

POSTS = API + "posts/"


@pytest.fixture
def offer(town_a) -> dict:
    with schema_context(town_a.schema_name):
        shopping = category("courses").pk
    return {
        "kind": "offer",
        "category": shopping,
        "title": "Courses le samedi",
        "description": "Je vais au marché, je peux vous rapporter des fruits.",
    }


def posts(town) -> list[Post]:
    with schema_context(town.schema_name):
        return list(Post.objects.all())


def test_a_resident_publishes_a_post_with_a_key(client_for, town_a, resident_a, offer) -> None:
    clear_journal(town_a)
    key = make_key(town_a, resident_a)
    clear_journal(town_a)
    response = call(
        client_for(town_a),
        "post",
        POSTS,
        {**offer, "when": "regular", "rhythm": "Chaque samedi"},
        key=key,
    )
    assert response.status_code == 201, response.content
    [post] = posts(town_a)
    assert (post.author_id, post.title, post.rhythm) == (
        resident_a.pk,
        "Courses le samedi",
        "Chaque samedi",
    )
    assert response.json()["id"] == post.pk
    assert response.json()["category"]["slug"] == "courses"
    assert only_entry(town_a, "post.create").actor_id == resident_a.pk
    listed = call(client_for(town_a), "get", POSTS, key=key).json()["results"]
    assert [p["id"] for p in listed] == [post.pk]


def test_a_session_publishes_with_the_csrf_token(town_a, resident_a, offer) -> None:
    client = Client(HTTP_HOST=town_a.primary_host, enforce_csrf_checks=True)
    with schema_context(town_a.schema_name):
        client.force_login(resident_a)
    client.get("/mon-compte/api/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = call(client, "post", POSTS, offer, x_csrftoken=token)
    assert response.status_code == 201, response.content
    assert len(posts(town_a)) == 1


def test_what_is_typed_is_kept_as_text(client_for, town_a, resident_a, offer) -> None:
    script = "<script>alert('x')</script>"
    response = call(client_for(town_a, resident_a), "post", POSTS, {**offer, "title": script})
    assert response.status_code == 201
    assert response.json()["title"] == script
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"title": "", "description": "  "},
            {
                "title": ["Donnez un titre à votre annonce."],
                "description": ["Dites en quelques mots de quoi il s’agit."],
            },
        ),
        (
            {"description": "x" * 10_000},
            {"description": ["5000 caractères au maximum, s’il vous plaît (ce texte en a 10000)."]},
        ),
        ({"category": 999999}, {"category": ["Choisissez une catégorie dans la liste."]}),
        (
            {"when": "date", "date_start": "2020-01-01"},
            {
                "date_start": [
                    "Cette date est déjà passée : choisissez aujourd’hui ou un jour suivant."
                ]
            },
        ),
        (
            {"when": "date", "date_start": "31/12/2026"},
            {
                "date_start": [
                    "La date n'a pas le bon format. "
                    "Utilisez un des formats suivants\xa0: YYYY-MM-DD."
                ]
            },
        ),
        ({"kind": "vente"}, {"kind": ["«\xa0vente\xa0» n'est pas un choix valide."]}),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_saved(
    client_for, town_a, resident_a, offer, changes, errors
) -> None:
    response = call(client_for(town_a, resident_a), "post", POSTS, {**offer, **changes})
    assert response.status_code == 400
    assert response.json() == errors
    assert posts(town_a) == []


def test_a_suspended_resident_cannot_publish(
    client_for, town_a, resident_a, moderator_a, offer
) -> None:
    with schema_context(town_a.schema_name):
        moderation.suspend_resident(moderator_a, "personne", str(resident_a.pk), reason="Spam")
    response = call(client_for(town_a, resident_a), "post", POSTS, offer)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Votre compte est suspendu par les modérateurs")
    assert posts(town_a) == []


def test_nothing_is_published_on_a_read_only_site(client_for, town_a, resident_a, offer) -> None:
    key = make_key(town_a, resident_a)
    town_a.site_access = Collectivite.Access.READ_ONLY
    town_a.save(update_fields=["site_access"])
    response = call(client_for(town_a), "post", POSTS, offer, key=key)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Ce site est en lecture seule pour le moment : personne ne peut publier."
    }
    assert posts(town_a) == []


def test_a_suspended_site_answers_programs_in_json(client_for, town_a, resident_a) -> None:
    key = make_key(town_a, resident_a)
    town_a.site_access = Collectivite.Access.ADMINS_ONLY
    town_a.save(update_fields=["site_access"])
    response = call(client_for(town_a), "get", POSTS, key=key)
    assert response.status_code == 503
    assert response.json() == {"detail": "Ce site est fermé pour le moment."}


def test_a_guest_cannot_publish(client_for, town_a, offer) -> None:
    assert call(client_for(town_a), "post", POSTS, offer).status_code == 401
    assert posts(town_a) == []


def test_an_author_changes_their_post(client_for, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        post = PostFactory.create(author=resident_a, title="Tondre")
    clear_journal(town_a)
    response = call(
        client_for(town_a, resident_a),
        "patch",
        f"{POSTS}{post.pk}/",
        {"title": "Tondre la pelouse"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Tondre la pelouse"
    assert [p.title for p in posts(town_a)] == ["Tondre la pelouse"]
    entry = only_entry(town_a, "post.update")
    assert (entry.before, entry.after) == ({"title": "Tondre"}, {"title": "Tondre la pelouse"})


def test_a_change_that_changes_nothing_writes_nothing(client_for, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        post = PostFactory.create(author=resident_a, title="Tondre")
    clear_journal(town_a)
    response = call(
        client_for(town_a, resident_a), "patch", f"{POSTS}{post.pk}/", {"title": "Tondre"}
    )
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(collectivite=town_a).exists()


def test_a_bad_change_keeps_the_post_as_it_was(client_for, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        post = PostFactory.create(author=resident_a, title="Tondre")
    response = call(client_for(town_a, resident_a), "patch", f"{POSTS}{post.pk}/", {"title": " "})
    assert response.status_code == 400
    assert response.json() == {"title": ["Donnez un titre à votre annonce."]}
    assert [p.title for p in posts(town_a)] == ["Tondre"]


def test_only_the_author_changes_a_post(client_for, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        post = PostFactory.create(author=UserFactory.create(), title="Tondre")
    client = client_for(town_a, resident_a)
    assert call(client, "patch", f"{POSTS}{post.pk}/", {"title": "Piraté"}).status_code == 404
    assert call(client, "put", f"{POSTS}{post.pk}/", {"title": "Piraté"}).status_code == 405
    assert [p.title for p in posts(town_a)] == ["Tondre"]


def test_an_old_date_stays_when_only_the_text_changes(client_for, town_a, resident_a) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    with schema_context(town_a.schema_name):
        post = PostFactory.create(author=resident_a, when="date", date_start=yesterday)
    response = call(
        client_for(town_a, resident_a),
        "patch",
        f"{POSTS}{post.pk}/",
        {"description": "Plus de détails"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["date_start"] == yesterday.isoformat()
