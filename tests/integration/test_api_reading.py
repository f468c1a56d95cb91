"""The API's read endpoints: what a resident reads, through the rules and filters of the pages."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from accounts.factories import UserFactory
from mutual_aid.factories import ConversationFactory, MessageFactory, PostFactory, category
from mutual_aid.models import Category, Post
from tests.api_support import API, call, make_key
from townsite.models import Neighbourhood
from townsite.setup import services as setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client_for, town_a, resident_a):
    return client_for(town_a, resident_a)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [post["title"] for post in response.json()["results"]]


def test_posts_are_listed_newest_first_with_what_their_card_shows(town_a, reader) -> None:
    now = timezone.now()
    with schema_context(town_a.schema_name):
        author = UserFactory.create()
        old = PostFactory.create(
            title="Arroser les tomates", author=author, created_at=now - timedelta(days=2)
        )
        PostFactory.create(title="Promener le chien", created_at=now - timedelta(days=1))
    response = call(reader, "get", API + "posts/")
    assert titles(response) == ["Promener le chien", "Arroser les tomates"]
    last = response.json()["results"][1]
    assert last["id"] == old.pk
    assert last["author"] == {"id": author.pk, "display_name": author.display_name}
    assert last["category"]["slug"] == "autre"
    assert last["page"] == f"http://{town_a.primary_host}/entraide/{old.pk}/"
    # Another resident's email address is never given.
    assert author.email not in response.content.decode()


def test_the_list_filters_and_searches_as_the_page_does(town_a, reader) -> None:
    with schema_context(town_a.schema_name):
        place = Neighbourhood.objects.create(name="Les Tilleuls")
        PostFactory.create(
            title="Courses à l'épicerie", category=category("courses"), neighbourhood=place
        )
        PostFactory.create(title="Tondre la pelouse", kind=Post.Kind.REQUEST)
        PostFactory.create(title="Vieille offre", status=Post.Status.CLOSED)
    assert titles(call(reader, "get", API + "posts/", {"q": "epicerie"})) == [
        "Courses à l'épicerie"
    ]
    assert titles(call(reader, "get", API + "posts/", {"kind": "request"})) == ["Tondre la pelouse"]
    assert titles(call(reader, "get", API + "posts/", {"category": "courses"})) == [
        "Courses à l'épicerie"
    ]
    assert titles(call(reader, "get", API + "posts/", {"neighbourhood": place.pk})) == [
        "Courses à l'épicerie"
    ]
    assert "Vieille offre" not in titles(call(reader, "get", API + "posts/"))
    assert "Vieille offre" in titles(call(reader, "get", API + "posts/", {"include_closed": "1"}))


def test_hidden_and_deleted_posts_are_neither_listed_nor_read(town_a, reader) -> None:
    with schema_context(town_a.schema_name):
        hidden = PostFactory.create(title="Cachée", hidden_at=timezone.now())
        deleted = PostFactory.create(title="Supprimée", deleted_at=timezone.now())
    assert titles(call(reader, "get", API + "posts/", {"include_closed": "1"})) == []
    for post in (hidden, deleted):
        response = call(reader, "get", f"{API}posts/{post.pk}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Non trouvé."}


def test_a_post_is_read_with_its_photos(town_a, reader) -> None:
    with schema_context(town_a.schema_name):
        post = PostFactory.create(title="Prêt d'une échelle", description="<script>x</script>")
        photo = post.photos.create(image="mutual_aid/photos/echelle.jpg", width=800, height=600)
    response = call(reader, "get", f"{API}posts/{post.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "Prêt d'une échelle"
    # JSON carries the text as typed: escaping is for whoever shows it in HTML.
    assert data["description"] == "<script>x</script>"
    assert response["Content-Type"] == "application/json"
    assert data["photos"] == [
        {
            "id": photo.pk,
            "url": f"http://{town_a.primary_host}/api/v1/photos/{photo.pk}/",
            "width": 800,
            "height": 600,
            "description": "",
        }
    ]


def test_an_author_reads_their_own_hidden_post(town_a, client_for, resident_a) -> None:
    with schema_context(town_a.schema_name):
        post = PostFactory.create(author=resident_a, hidden_at=timezone.now())
    response = call(client_for(town_a, resident_a), "get", f"{API}posts/{post.pk}/")
    assert response.status_code == 200


def test_categories_are_the_enabled_ones_in_the_towns_order(town_a, reader) -> None:
    with schema_context(town_a.schema_name):
        Category.objects.filter(slug="animaux").update(enabled=False)
        expected = list(
            Category.objects.filter(enabled=True)
            .order_by("position", "name")
            .values_list("slug", flat=True)
        )
    response = call(reader, "get", API + "categories/")
    assert response.status_code == 200
    assert [item["slug"] for item in response.json()] == expected
    assert "animaux" not in expected


def test_lists_come_in_pages_of_at_most_100(town_a, reader, resident_a) -> None:
    with schema_context(town_a.schema_name):
        PostFactory.create_batch(3, author=resident_a)
    first = call(reader, "get", API + "posts/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = call(reader, "get", first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert {p["id"] for p in first["results"]}.isdisjoint({p["id"] for p in second["results"]})
    with schema_context(town_a.schema_name):
        PostFactory.create_batch(101, author=resident_a)
    assert len(call(reader, "get", API + "posts/", {"page_size": 500}).json()["results"]) == 100
    broken = call(reader, "get", API + "posts/", {"cursor": "pas-un-curseur"})
    assert broken.status_code == 404
    assert broken.json() == {"detail": "Ce lien de page n’est pas valable."}


def test_my_conversations_and_their_messages(town_a, reader, resident_a) -> None:
    with schema_context(town_a.schema_name):
        helped = UserFactory.create()
        mine = ConversationFactory.create(
            post=PostFactory.create(author=helped),
            respondent=resident_a,
            post_title="Garde du chat",
        )
        ConversationFactory.create(post_title="Pas la mienne")
        MessageFactory.create(conversation=mine, sender=resident_a, body="Bonjour !")
        MessageFactory.create(conversation=mine, sender=helped, body="Avec plaisir.")
        MessageFactory.create(
            conversation=mine, sender=helped, body="Masqué", hidden_at=timezone.now()
        )
    listed = call(reader, "get", API + "conversations/")
    assert listed.status_code == 200
    [only] = listed.json()["results"]
    assert only["post_title"] == "Garde du chat"
    assert only["unread"] == 1  # the hidden message is not counted
    assert only["other_person"] == {"id": helped.pk, "display_name": helped.display_name}
    assert call(reader, "get", f"{API}conversations/{mine.pk}/").json()["id"] == mine.pk
    messages = call(reader, "get", f"{API}conversations/{mine.pk}/messages/").json()["results"]
    # As on the page: a hidden message keeps its place, without its text.
    assert [(m["body"], m["mine"], m["hidden"]) for m in messages] == [
        ("Bonjour !", True, False),
        ("Avec plaisir.", False, False),
        ("", False, True),
    ]
    assert (
        "Masqué"
        not in call(reader, "get", f"{API}conversations/{mine.pk}/messages/").content.decode()
    )


def test_the_api_is_not_found_while_the_module_is_off(town_a, reader, admin_a) -> None:
    with schema_context(town_a.schema_name):
        setup.save_modules(by=admin_a, mutual_aid=False, consultations=True, ideas=False)
    for path in ("posts/", "categories/", "conversations/"):
        assert call(reader, "get", API + path).status_code == 404


def test_a_photo_is_sent_to_a_key_that_may_see_its_post(
    settings, tmp_path, client_for, town_a, resident_a
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    buffer = BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "JPEG")
    with schema_context(town_a.schema_name):
        post = PostFactory.create()
        photo = post.photos.create(image=ContentFile(buffer.getvalue(), name="velo.jpg"))
    key = make_key(town_a, resident_a)
    response = call(client_for(town_a), "get", f"{API}photos/{photo.pk}/", key=key)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == buffer.getvalue()
    assert call(client_for(town_a), "get", f"{API}photos/{photo.pk}/").status_code == 401
