"""Nobody but its author changes a post; nobody sees a hidden or deleted post or its photo; town
B and guests see nothing of town A's; only town A's admins reach its mutual aid settings."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from mutual_aid.factories import category
from mutual_aid.models import Category, HelpLine, MutualAidSettings, Photo, Post
from mutual_aid.posting import expiry, services
from tenants.models import AuditEntry
from tests.helpers import body, probe
from tests.mutual_aid_support import photo_upload

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Annonce-secrète-de-A"
HIDDEN_TITLE = "Annonce-masquée-de-A"
DELETED_TITLE = "Annonce-supprimée-de-A"


@pytest.fixture
def a_posts(town_a, resident_a, moderator_a, media_root):
    with schema_context(town_a.schema_name):

        def publish(title):
            return services.publish_post(
                resident_a,
                kind="offer",
                category=category("garde-enfants"),
                title=title,
                description=f"{title}, description.",
                photos=[(photo_upload(), f"Photo de {title}")],
            )

        open_post = publish(SECRET_TITLE)
        hidden = publish(HIDDEN_TITLE)
        Post.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now(), hidden_by=moderator_a)
        deleted = publish(DELETED_TITLE)
        deleted_photo = deleted.photos.get()
        services.delete_post(deleted, resident_a)
        return {
            "open": open_post,
            "open_photo": open_post.photos.get(),
            "hidden": hidden,
            "hidden_photo": hidden.photos.get(),
            "deleted": deleted,
            "deleted_photo_id": deleted_photo.pk,
            "token": expiry.renew_token(open_post),
            "journal": list(
                AuditEntry.objects.filter(collectivite=town_a).values_list("pk", flat=True)
            ),
            "expires_at": open_post.expires_at,
        }


def _writes(a):
    pk = a["open"].pk
    base = f"/entraide/{pk}/"
    return [
        ("get", base + "modifier/", {}),
        ("post", base + "modifier/", {"title": "Piraté", "description": "x", "category": "1"}),
        ("post", base + "fermer/", {}),
        ("post", base + "renouveler/", {}),
        ("get", base + "supprimer/", {}),
        ("post", base + "supprimer/", {}),
    ]


def _hidden_reads(a):
    return [
        ("get", f"/entraide/{a['hidden'].pk}/", {}),
        ("get", f"/entraide/photos/{a['hidden_photo'].pk}/", {}),
    ]


def _deleted_reads(a):
    pk = a["deleted"].pk
    return [
        ("get", f"/entraide/{pk}/", {}),
        ("get", f"/entraide/photos/{a['deleted_photo_id']}/", {}),
        ("get", f"/entraide/{pk}/modifier/", {}),
        ("post", f"/entraide/{pk}/renouveler/", {}),
    ]


def _open_reads(a):
    return [
        ("get", f"/entraide/{a['open'].pk}/", {}),
        ("get", f"/entraide/photos/{a['open_photo'].pk}/", {}),
    ]


def assert_a_untouched(town_a, a) -> None:
    with schema_context(town_a.schema_name):
        post = Post.objects.get(pk=a["open"].pk)
        assert (post.title, post.status, post.deleted_at) == (SECRET_TITLE, "open", None)
        assert post.expires_at == a["expires_at"]
        assert Photo.objects.filter(post=post).count() == 1
    journal = AuditEntry.objects.filter(collectivite=town_a).values_list("pk", flat=True)
    assert list(journal) == a["journal"]


def test_another_resident_of_a_may_read_but_not_change_the_post(
    client_for, town_a, a_posts
) -> None:
    with schema_context(town_a.schema_name):
        from accounts.factories import UserFactory

        neighbour = UserFactory()
    client = client_for(town_a, neighbour)
    for method, path, _data in _open_reads(a_posts):
        assert getattr(client, method)(path).status_code == 200
    for method, path, data in _writes(a_posts) + _hidden_reads(a_posts) + _deleted_reads(a_posts):
        probe(client, path, method=method, data=data, leaked=[HIDDEN_TITLE, DELETED_TITLE])
    assert SECRET_TITLE not in body(client.get("/entraide/mes-annonces/"))
    assert_a_untouched(town_a, a_posts)


def test_guests_and_town_b_get_nothing_of_town_a(
    client_for, town_a, town_b, resident_b, admin_b, a_posts
) -> None:
    stolen = client_for(town_b, admin_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host  # B's cookie on A's site
    at_home_in_b = client_for(town_b, resident_b)  # A's ids on B's site
    visitors = [client_for(town_a), stolen, client_for(town_b), at_home_in_b, client_for(None)]
    every = _writes(a_posts) + _open_reads(a_posts) + _hidden_reads(a_posts)
    every += _deleted_reads(a_posts)
    for client in visitors:
        for method, path, data in every:
            probe(
                client,
                path,
                method=method,
                data=data,
                leaked=[SECRET_TITLE, HIDDEN_TITLE, DELETED_TITLE],
            )
        for path in ("/entraide/", "/entraide/mes-annonces/"):
            if client is at_home_in_b:  # their own town's lists, without A's posts
                response = client.get(path)
                assert response.status_code == 200 and SECRET_TITLE not in body(response)
            else:
                probe(client, path, leaked=[SECRET_TITLE])
    assert_a_untouched(town_a, a_posts)


def test_the_author_sees_the_hidden_post_but_not_the_deleted_one(
    client_for, town_a, resident_a, a_posts
) -> None:
    client = client_for(town_a, resident_a)
    for _method, path, _data in _hidden_reads(a_posts):
        assert client.get(path).status_code == 200
    for method, path, data in _deleted_reads(a_posts):
        probe(client, path, method=method, data=data, leaked=[DELETED_TITLE])
    # Hidden and deleted posts are out of the list, even for their author.
    listing = body(client.get("/entraide/"))
    assert HIDDEN_TITLE not in listing and DELETED_TITLE not in listing
    assert SECRET_TITLE in listing


def test_a_renewal_link_of_town_a_renews_nothing_on_town_b(
    client_for, town_a, town_b, resident_b, a_posts
) -> None:
    path = f"/entraide/renouveler/{a_posts['token']}/"
    assert client_for(town_a).get(path).status_code == 200  # valid where it was made
    for client in (client_for(town_b), client_for(town_b, resident_b), client_for(None)):
        probe(client, path, leaked=[SECRET_TITLE])
        probe(client, path, method="post", leaked=[SECRET_TITLE])
    assert_a_untouched(town_a, a_posts)


STAFF = "/administration/entraide/"


def _staff_pages(town):
    with schema_context(town.schema_name):
        courses = Category.objects.get(slug="courses")
        line = HelpLine.objects.first()
    assert line is not None
    return [
        ("get", STAFF, {}),
        ("post", STAFF, {"sensitive_verified_only": "on"}),
        ("get", STAFF + "categories/", {}),
        ("post", STAFF + "categories/", {"name": "Piratée", "icon": "autre"}),
        ("get", f"{STAFF}categories/{courses.pk}/", {}),
        ("post", f"{STAFF}categories/{courses.pk}/", {"name": "Piratée", "icon": "autre"}),
        ("post", f"{STAFF}categories/{courses.pk}/supprimer/", {}),
        ("get", STAFF + "numeros-d-aide/", {}),
        ("post", STAFF + "numeros-d-aide/", {"name": "Pirate", "number": "0600000000"}),
        ("get", f"{STAFF}numeros-d-aide/{line.pk}/", {}),
        ("post", f"{STAFF}numeros-d-aide/{line.pk}/", {"name": "Pirate", "number": "06"}),
    ]


def test_only_town_a_admins_reach_its_mutual_aid_settings(
    client_for, town_a, town_b, resident_a, moderator_a, admin_b
) -> None:
    stolen = client_for(town_b, admin_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host
    journal = list(AuditEntry.objects.filter(collectivite=town_a).values_list("pk", flat=True))
    for client in (
        client_for(town_a),
        client_for(town_a, resident_a),
        client_for(town_a, moderator_a),
        stolen,
        client_for(None),
    ):
        for method, path, data in _staff_pages(town_a):
            probe(client, path, method=method, data=data)
    with schema_context(town_a.schema_name):
        assert not Category.objects.filter(name="Piratée").exists()
        assert Category.objects.get(slug="courses").name == "Courses"
        assert not HelpLine.objects.filter(name="Pirate").exists()
        assert MutualAidSettings.load().sensitive_verified_only is False
    assert list(AuditEntry.objects.filter(collectivite=town_a).values_list("pk", flat=True)) == (
        journal
    )
