"""Submitting an idea: the form, similar ideas while typing, the image, and bad input."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context
from PIL import Image

from accounts.models import User
from participation.ideas.factories import idea_category
from participation.ideas.models import Idea, IdeaFollow
from tenants.models import AuditEntry, Collectivite
from tests.helpers import body
from tests.ideas_support import idea_form, new_idea
from tests.mutual_aid_support import image_bytes, suspend
from townsite.models import TownProfile
from townsite.setup.services import forget_look

pytestmark = pytest.mark.django_db

NEW = "/idees/proposer/"


def _ideas(town: Collectivite) -> int:
    with schema_context(town.schema_name):
        return Idea.objects.count()


def test_a_resident_submits_an_idea_and_follows_it(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    response = client_for(town_a, resident_a).post(NEW, idea_form(town_a))
    with schema_context(town_a.schema_name):
        idea = Idea.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("ideas:detail", args=[idea.pk])
        assert (idea.author_id, idea.status, idea.category.slug) == (
            resident_a.pk,
            Idea.Status.SUBMITTED,
            "voirie-deplacements",
        )
        assert IdeaFollow.objects.filter(idea=idea, user=resident_a).count() == 1
        entry = AuditEntry.objects.get(action="idea.submit")
        assert entry.target_id == str(idea.pk)


def test_similar_ideas_show_while_typing_without_accents(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    new_idea(town_a, title="Des arbres dans la rue de l'Église")
    new_idea(town_a, title="Un terrain de pétanque")
    client = client_for(town_a, resident_a)
    page = body(client.get(reverse("ideas:similar"), {"title": "planter arbre eglise"}))
    assert "Des arbres dans la rue de l&#x27;Église" in page
    assert "pétanque" not in page


def test_without_javascript_the_check_button_lists_similar_ideas_and_keeps_what_was_typed(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    new_idea(town_a, title="Un passage protégé rue des Écoles")
    data = idea_form(town_a, description="Mon texte à garder", check="1")
    response = client_for(town_a, resident_a).post(NEW, data)
    page = body(response)
    assert response.status_code == 200
    assert "Un passage protégé rue des Écoles" in page
    assert "Mon texte à garder" in page
    assert _ideas(town_a) == 1  # only the existing one: nothing saved


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Donnez un titre à votre idée."),
        ("description", "   ", "Décrivez votre idée en quelques phrases."),
        ("title", "x" * 10_000, "au plus 120 caractères"),
        ("description", "x" * 10_000, "au plus 5000 caractères"),
        ("category", "", "Choisissez une catégorie."),
    ],
)
def test_bad_input_is_refused_in_french_and_what_was_typed_stays(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    field: str,
    value: str,
    message: str,
) -> None:
    data = idea_form(town_a, description="Gardez ce texte")
    if field == "description":
        data["title"] = "Gardez ce titre"
    data[field] = value
    response = client_for(town_a, resident_a).post(NEW, data)
    page = body(response)
    assert response.status_code == 400
    assert message in page.replace("\u202f", " ").replace("\xa0", " ")
    assert ("Gardez ce titre" if field == "description" else "Gardez ce texte") in page
    assert _ideas(town_a) == 0


def test_a_file_renamed_jpg_is_refused_by_its_content(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, media_root: Path
) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a picture", "image/jpeg")
    response = client_for(town_a, resident_a).post(NEW, {**idea_form(town_a), "image": fake})
    page = body(response)
    assert response.status_code == 400
    assert "Ce fichier n’est pas une image" in page or "Ce fichier n&#x27;est pas une image" in page
    assert "Un passage piéton devant l&#x27;école" in page
    assert _ideas(town_a) == 0
    assert not list(media_root.rglob("*.*"))


def test_the_image_is_reencoded_without_its_gps_and_served_to_members(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, media_root: Path
) -> None:
    upload = SimpleUploadedFile("IMG_0001.jpg", image_bytes(gps=True), "image/jpeg")
    client = client_for(town_a, resident_a)
    client.post(NEW, {**idea_form(town_a), "image": upload, "image_description": "Le carrefour"})
    with schema_context(town_a.schema_name):
        idea = Idea.objects.get()
        name = idea.image.name or ""
    assert "IMG_0001" not in name
    assert town_a.schema_name in str(next(media_root.rglob("*.jpg")))
    response = client.get(reverse("ideas:image", args=[idea.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    with Image.open(io.BytesIO(data)) as stored:
        assert dict(stored.getexif()) == {}
        assert stored.size == (48, 64)  # turned upright, as the phone meant it


def test_script_and_html_are_shown_as_text(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    client = client_for(town_a, resident_a)
    script = "<script>alert('x')</script><b>gras</b>"
    client.post(NEW, idea_form(town_a, title=script, description=script))
    with schema_context(town_a.schema_name):
        idea = Idea.objects.get()
    page = body(client.get(reverse("ideas:detail", args=[idea.pk])))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;b&gt;gras&lt;/b&gt;" in page


def test_a_switched_off_category_cannot_be_chosen(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        idea_category("voirie-deplacements").__class__.objects.filter(
            slug="voirie-deplacements"
        ).update(enabled=False)
    response = client_for(town_a, resident_a).post(NEW, idea_form(town_a))
    assert response.status_code == 400
    assert "Choisissez une catégorie dans la liste." in body(response)
    assert _ideas(town_a) == 0


def test_a_suspended_resident_cannot_submit(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        suspend(None, resident_a)
    response = client_for(town_a, resident_a).post(NEW, idea_form(town_a))
    assert response.status_code == 403
    assert "suspendu" in body(response)
    assert _ideas(town_a) == 0


def test_a_read_only_site_says_so_before_anything_is_typed_and_refuses_the_post(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    town_a.site_access = Collectivite.Access.READ_ONLY
    town_a.save(update_fields=["site_access"])
    client = client_for(town_a, resident_a)
    page = client.get(NEW)
    assert page.status_code == 403
    assert "lecture seule" in body(page)
    posted = client.post(NEW, idea_form(town_a))
    assert posted.status_code == 403
    assert _ideas(town_a) == 0


def test_the_idea_box_answers_404_when_the_town_has_it_off(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a)
    with schema_context(town_a.schema_name):
        TownProfile.objects.update_or_create(pk=1, defaults={"ideas_enabled": False})
        forget_look()
    client = client_for(town_a, resident_a)
    for path in (
        reverse("ideas:list"),
        NEW,
        reverse("ideas:detail", args=[idea.pk]),
        reverse("ideas_staff:waiting"),
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(reverse("ideas:support", args=[idea.pk])).status_code == 404


def test_an_image_over_10_mb_is_refused_before_it_is_read(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, media_root: Path
) -> None:
    big = SimpleUploadedFile("grande.jpg", image_bytes() + b"\0" * (10 * 1024 * 1024), "image/jpeg")
    response = client_for(town_a, resident_a).post(NEW, {**idea_form(town_a), "image": big})
    assert response.status_code == 400
    assert "Cette image dépasse 10 Mo." in body(response)
    assert _ideas(town_a) == 0


def test_staff_see_the_ideas_waiting_past_the_threshold_first(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User
) -> None:
    new_idea(town_a, title="Peu soutenue", support_count=1)
    new_idea(town_a, title="Très soutenue", support_count=60)
    new_idea(town_a, title="Déjà réalisée", support_count=90, status=Idea.Status.DONE)
    page = body(client_for(town_a, moderator_a).get(reverse("ideas_staff:waiting")))
    assert page.index("Très soutenue") < page.index("Peu soutenue")
    assert "Déjà réalisée" not in page
    assert page.count("À étudier (engagement)") == 1
