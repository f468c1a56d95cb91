"""The town's mutual aid pages: categories, help lines, the sensitive-posts switch; each change
in the log of actions."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from mutual_aid.factories import PostFactory, category
from mutual_aid.models import Category, HelpLine, MutualAidSettings
from tenants.models import AuditEntry
from tests.helpers import body

pytestmark = pytest.mark.django_db
BASE = "/administration/entraide/"


def _actions(town):
    return list(
        AuditEntry.objects.filter(collectivite=town).order_by("pk").values_list("action", flat=True)
    )


def test_the_pages_show_the_seeded_lists(admin) -> None:
    assert "Garde d&#x27;enfants" in body(admin.get(BASE + "categories/"))
    assert "09 72 39 40 50" in body(admin.get(BASE + "numeros-d-aide/"))
    assert "Seuls les habitants vérifiés" in body(admin.get(BASE))


def test_an_admin_adds_a_category_and_residents_can_use_it(admin, town_a) -> None:
    response = admin.post(BASE + "categories/", {"name": "Cours de cuisine", "icon": "tasse"})
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        added = Category.objects.get(name="Cours de cuisine")
        assert (added.slug, added.icon, added.enabled) == ("cours-de-cuisine", "tasse", True)
    assert _actions(town_a) == ["aid_category.add"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "icon": "tasse"}, "Ce champ est obligatoire."),
        ({"name": "Courses", "icon": "tasse"}, "Il existe déjà une catégorie « Courses »."),
        ({"name": "Neuve", "icon": "fusée"}, "Sélectionnez un choix valide."),
    ],
)
def test_bad_categories_are_refused_and_the_text_kept(admin, town_a, data, message) -> None:
    response = admin.post(BASE + "categories/", data)
    assert response.status_code == 400
    assert message in body(response)
    if data["name"]:
        assert f'value="{data["name"]}"' in body(response)
    assert _actions(town_a) == []


def test_a_category_with_posts_is_switched_off_not_removed(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        used = category("courses")
        PostFactory(category=used)
        unused = category("animaux")
    form = {"name": "Courses", "icon": "panier", "position": "3", "sensitive": "on"}
    assert admin.post(f"{BASE}categories/{used.pk}/", form).status_code == 302
    refused = admin.post(f"{BASE}categories/{used.pk}/supprimer/", follow=True)
    assert "Des annonces utilisent cette catégorie" in body(refused)
    assert admin.post(f"{BASE}categories/{unused.pk}/supprimer/").status_code == 302
    with schema_context(town_a.schema_name):
        used.refresh_from_db()
        assert (used.enabled, used.sensitive, used.position) == (False, True, 3)
        assert not Category.objects.filter(pk=unused.pk).exists()
    assert _actions(town_a) == ["aid_category.change", "aid_category.remove"]
    [change] = AuditEntry.objects.filter(action="aid_category.change")
    assert change.after == {"position": 3, "enabled": False, "sensitive": True}


def test_saving_an_unchanged_category_writes_nothing(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        courses = category("courses")
    form = {"name": courses.name, "icon": courses.icon, "position": courses.position}
    form["enabled"] = "on"
    assert admin.post(f"{BASE}categories/{courses.pk}/", form).status_code == 302
    assert _actions(town_a) == []


def test_help_lines_are_added_reordered_and_switched_off(admin, town_a) -> None:
    new = {"name": "Écoute locale", "number": "01 30 54 00 00", "description": "Mairie"}
    assert admin.post(BASE + "numeros-d-aide/", new).status_code == 302
    bad = admin.post(BASE + "numeros-d-aide/", {"name": "X", "number": "appelez-nous"})
    assert "Écrivez le numéro avec des chiffres" in body(bad)
    with schema_context(town_a.schema_name):
        line = HelpLine.objects.get(name="Écoute locale")
    edit = {"name": line.name, "number": line.number, "position": "0"}
    assert admin.post(f"{BASE}numeros-d-aide/{line.pk}/", edit).status_code == 302
    with schema_context(town_a.schema_name):
        line.refresh_from_db()
        assert (line.enabled, line.position, line.description) == (False, 0, "")
    assert _actions(town_a) == ["help_line.add", "help_line.change"]


def test_the_sensitive_switch_is_saved_and_recorded(admin, town_a) -> None:
    admin.post(BASE, {"sensitive_verified_only": "on"})
    admin.post(BASE, {"sensitive_verified_only": "on"})
    with schema_context(town_a.schema_name):
        assert MutualAidSettings.load().sensitive_verified_only is True
    assert _actions(town_a) == ["aid_settings.change"]
