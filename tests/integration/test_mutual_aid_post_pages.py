"""The post pages: choose, write, edit, close, renew, delete, my posts; bad input kept as typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from mutual_aid.factories import category
from mutual_aid.models import Post
from tests.helpers import body
from tests.mutual_aid_support import in_days, new_post, photo_upload, post_form

pytestmark = pytest.mark.django_db
NEW_OFFER = "/entraide/nouvelle-annonce/offre/"


@pytest.fixture
def client_a(client_for, town_a, resident_a):
    return client_for(town_a, resident_a)


def _form(town, **overrides):
    with schema_context(town.schema_name):
        return post_form(**overrides)


def _posts(town):
    with schema_context(town.schema_name):
        return list(Post.objects.all())


def test_the_chooser_leads_to_an_offer_or_a_request(client_a) -> None:
    page = body(client_a.get(reverse("mutual_aid:new_post")))
    assert f'href="{NEW_OFFER}"' in page
    assert 'href="/entraide/nouvelle-annonce/demande/"' in page


def test_an_offer_is_published_with_a_photo_and_shown(
    client_a, town_a, resident_a, media_root
) -> None:
    data = _form(town_a, photo_1=photo_upload(), photo_1_description="Mon panier")
    response = client_a.post(NEW_OFFER, data)
    [post] = _posts(town_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("mutual_aid:detail", args=[post.pk])
    assert (post.kind, post.author_id) == ("offer", resident_a.pk)
    page = body(client_a.get(response["Location"]))
    assert "Courses à l&#x27;épicerie le samedi" in page
    assert 'alt="Mon panier"' in page


def test_a_request_page_publishes_a_request(client_a, town_a) -> None:
    client_a.post("/entraide/nouvelle-annonce/demande/", _form(town_a, title="Besoin d'aide"))
    [post] = _posts(town_a)
    assert post.kind == "request"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Ce champ est obligatoire."),
        ({"title": "x" * 10_000}, "au plus 120 caractères"),
        ({"description": "x" * 10_000}, "au plus 5000 caractères"),
        ({"when": "date", "date_start": in_days(-1)}, "Cette date est déjà passée"),
        ({"when": "regular"}, "Dites à quelle fréquence"),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(
    client_a, town_a, overrides, message
) -> None:
    data = _form(town_a, rhythm="", **overrides)
    data.setdefault("description", "Mon texte à garder")
    data["description"] = data["description"] or "Mon texte à garder"
    response = client_a.post(NEW_OFFER, data)
    assert response.status_code == 400
    page = body(response)
    assert message in page
    if overrides.get("description") is None:
        assert "Je peux faire vos courses à l&#x27;épicerie du village." in page
    if "title" not in overrides:
        assert 'value="Courses à l&#x27;épicerie le samedi"' in page
    assert _posts(town_a) == []


def test_a_file_that_is_not_an_image_is_refused_and_the_text_kept(
    client_a, town_a, media_root
) -> None:
    fake = photo_upload("vacances.jpg", b"%PDF-1.4 not a picture at all")
    response = client_a.post(NEW_OFFER, _form(town_a, photo_1=fake))
    assert response.status_code == 400
    page = body(response)
    assert "Ce fichier n’est pas une photo que nous pouvons lire." in page
    assert "Vos photos n’ont pas été gardées : choisissez-les à nouveau." in page
    assert 'value="Courses à l&#x27;épicerie le samedi"' in page
    assert _posts(town_a) == []
    assert not list(media_root.rglob("*.*"))


def test_a_30_mb_photo_is_refused_before_it_is_read(client_a, town_a, media_root) -> None:
    huge = photo_upload("grande.jpg", b"\xff\xd8" + b"0" * (30 * 1024 * 1024))
    response = client_a.post(NEW_OFFER, _form(town_a, photo_1=huge))
    assert response.status_code == 400
    assert "Cette photo dépasse 10 Mo." in body(response)
    assert _posts(town_a) == []


def test_html_in_every_field_is_shown_as_text(client_a, town_a, media_root) -> None:
    script = "<script>alert('x')</script>"
    data = _form(
        town_a,
        title=script,
        description=script,
        when="regular",
        rhythm=script,
        photo_1=photo_upload(),
        photo_1_description=script,
    )
    client_a.post(NEW_OFFER, data)
    [post] = _posts(town_a)
    for url in (reverse("mutual_aid:detail", args=[post.pk]), reverse("mutual_aid:my_posts")):
        page = body(client_a.get(url))
        assert script not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    listing = body(client_a.get(reverse("mutual_aid:list")))
    assert script not in listing and "&lt;script&gt;" in listing


def test_posting_on_a_read_only_site_is_refused(client_a, town_a, trial_over) -> None:
    response = client_a.post(NEW_OFFER, _form(town_a))
    assert response.status_code == 403
    assert _posts(town_a) == []


def test_a_suspended_resident_is_told_why_instead_of_a_form(client_a, monkeypatch) -> None:
    # The moderation helper's real suspension is not in main yet: its check is made to refuse.
    from townsite.moderation import access as moderation

    def suspended(user):
        raise moderation.ContributionRefused("Votre compte est suspendu jusqu’au 3 janvier.")

    monkeypatch.setattr(moderation, "ensure_may_contribute", suspended)
    for method in ("get", "post"):
        response = getattr(client_a, method)(NEW_OFFER, {})
        assert response.status_code == 403
        assert "Votre compte est suspendu jusqu’au 3 janvier." in body(response)


def test_the_author_edits_the_post_and_the_photos(client_a, town_a, resident_a, media_root) -> None:
    client_a.post(NEW_OFFER, _form(town_a, photo_1=photo_upload(), photo_1_description="Avant"))
    [post] = _posts(town_a)
    with schema_context(town_a.schema_name):
        [photo] = post.photos.all()
    edit = reverse("mutual_aid:edit_post", args=[post.pk])
    form_page = body(client_a.get(edit))
    assert 'value="Courses à l&#x27;épicerie le samedi"' in form_page
    data = _form(
        town_a,
        kind="request",
        title="Nouveau titre",
        **{f"description_{photo.pk}": "Après"},
        photo_1=photo_upload("deux.png"),
    )
    assert client_a.post(edit, data).status_code == 302
    with schema_context(town_a.schema_name):
        post.refresh_from_db()
        assert (post.title, post.kind) == ("Nouveau titre", "request")
        assert [p.description for p in post.photos.all()] == ["Après", ""]
        data = _form(town_a, kind="request", title="Nouveau titre", **{f"remove_{photo.pk}": "on"})
    client_a.post(edit, data)
    with schema_context(town_a.schema_name):
        assert post.photos.count() == 1


def test_close_and_renew_from_my_posts(client_a, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        expired = new_post(author=resident_a, expires_at=timezone.now() - timedelta(hours=1))
        other = new_post(author=resident_a, title="Autre annonce")
    mine = body(client_a.get(reverse("mutual_aid:my_posts")))
    assert "Expirée le" in mine and "Autre annonce" in mine
    response = client_a.post(reverse("mutual_aid:renew_post", args=[expired.pk]), {"back": "mine"})
    assert response["Location"] == reverse("mutual_aid:my_posts")
    client_a.post(reverse("mutual_aid:close_post", args=[other.pk]))
    with schema_context(town_a.schema_name):
        expired.refresh_from_db()
        other.refresh_from_db()
    assert not expired.is_expired and other.status == "closed"


def test_close_renew_and_delete_refuse_get(client_a, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        post = new_post(author=resident_a)
    for name in ("close_post", "renew_post"):
        assert client_a.get(reverse(f"mutual_aid:{name}", args=[post.pk])).status_code == 405


def test_deleting_asks_first_then_deletes(client_a, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        post = new_post(author=resident_a, category=category("courses"))
    url = reverse("mutual_aid:delete_post", args=[post.pk])
    question = client_a.get(url)
    assert "Oui, la supprimer" in body(question)
    assert client_a.post(url).status_code == 302
    assert client_a.get(reverse("mutual_aid:detail", args=[post.pk])).status_code == 404
    assert post.title not in body(client_a.get(reverse("mutual_aid:my_posts")))


def test_on_an_intercommunalite_the_place_is_a_commune(client_a, town_a) -> None:
    from tenants.models import Collectivite
    from townsite.models import Neighbourhood

    with schema_context(town_a.schema_name):
        Neighbourhood.objects.create(name="Saint-Nom", commune_insee="78571")
    page = body(client_a.get(NEW_OFFER))
    assert '<label for="id_neighbourhood">Quartier</label>' in page
    town_a.kind = Collectivite.Kind.INTERCOMMUNALITE
    town_a.save(update_fields=["kind"])
    page = body(client_a.get(NEW_OFFER))
    assert '<label for="id_neighbourhood">Commune</label>' in page


def test_a_sensitive_post_shows_the_safety_notice_and_the_shown_help_lines(
    client_a, town_a
) -> None:
    from mutual_aid.models import HelpLine

    with schema_context(town_a.schema_name):
        sensitive = new_post(category=category("garde-enfants"))
        ordinary = new_post(category=category("jardinage"))
        HelpLine.objects.filter(number="3919").update(enabled=False)
    page = body(client_a.get(reverse("mutual_aid:detail", args=[sensitive.pk])))
    assert "Restez prudent" in page
    assert 'href="tel:119"' in page and 'href="tel:0972394050"' in page
    assert "3919" not in page
    assert "safety-notice" not in body(
        client_a.get(reverse("mutual_aid:detail", args=[ordinary.pk]))
    )
