"""The set-up wizard's changes write one audit entry each, with only what changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from tenants.models import Commune, Epci
from tests.audit_support import clear_journal, entries, iso, only_entry
from tests.integration.test_town_setup import image_bytes, media_root  # noqa: F401  (fixture)
from townsite.models import Neighbourhood, ResidentProfile, TownProfile
from townsite.setup import services
from townsite.setup.logos import check_logo

pytestmark = pytest.mark.django_db

SETUP = "/administration/configuration/"
CONTACT = {"address": "", "phone": "", "email": "", "website": "", "opening_hours": ""}


@pytest.fixture(autouse=True)
def _empty_journal(town_a, town_b) -> None:
    clear_journal(town_a, town_b)


def profile_of(town) -> TownProfile:
    with schema_context(town.schema_name):
        return TownProfile.load()


STEPS = [
    ("apparence/", {"primary_colour": "#7a1f1f"}, "settings.look", {"primary_colour": "#7a1f1f"}),
    (
        "accueil/",
        {"welcome_text": "Bonjour à tous"},
        "settings.welcome",
        {"welcome_text": "Bonjour à tous"},
    ),
    (
        "modules/",
        {"mutual_aid": "on", "ideas": "on"},
        "settings.modules",
        {"consultations_enabled": False},
    ),
    (
        "contact/",
        {**CONTACT, "email": "mairie@example.org"},
        "settings.contact",
        {"contact_email": "mairie@example.org"},
    ),
    (
        "charte/",
        {"charter": "Soyons aimables."},
        "settings.charter",
        {"charter": "Soyons aimables."},
    ),
]


@pytest.mark.parametrize(("step", "data", "action", "after"), STEPS, ids=[s[2] for s in STEPS])
def test_each_step_writes_one_entry_with_what_changed(
    admin, town_a, admin_a, step: str, data: dict[str, str], action: str, after: dict[str, Any]
) -> None:
    old = profile_of(town_a)
    response = admin.post(SETUP + step, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = only_entry(town_a, action)
    assert (entry.actor_schema, entry.actor_id) == (town_a.schema_name, admin_a.pk)
    assert entry.after == after
    assert entry.before == {field: getattr(old, field) for field in after}

    # The same values again: nothing changes, nothing is written, the profile is not saved.
    saved_at = profile_of(town_a).updated_at
    assert admin.post(SETUP + step, data).status_code == 302
    assert len(entries(town_a)) == 1
    assert profile_of(town_a).updated_at == saved_at


@pytest.mark.parametrize(
    ("step", "data"),
    [
        ("apparence/", {"primary_colour": "#ffee00"}),  # too light for white text
        ("modules/", {}),  # no module at all
        ("charte/", {"charter": "   "}),
        ("contact/", {**CONTACT, "email": "pas-une-adresse"}),
    ],
)
def test_a_refused_change_writes_nothing(admin, town_a, step: str, data: dict[str, str]) -> None:
    assert admin.post(SETUP + step, data).status_code == 400
    assert entries(town_a) == []


def test_a_new_logo_is_recorded_by_its_file_name(town_a, admin_a, media_root) -> None:  # noqa: F811
    upload = SimpleUploadedFile("logo.png", image_bytes("PNG"))
    with schema_context(town_a.schema_name):
        old_colour = TownProfile.load().primary_colour
        profile = services.save_look(primary_colour=old_colour, logo=check_logo(upload), by=admin_a)
    entry = only_entry(town_a, "settings.look")
    assert entry.before == {"logo": ""}
    assert entry.after == {"logo": profile.logo.name}


def test_finishing_the_setup_is_recorded_once(admin, town_a, admin_a) -> None:
    admin.post(SETUP + "recapitulatif/")
    admin.post(SETUP + "recapitulatif/")
    entry = only_entry(town_a, "settings.setup_completed")
    assert entry.before == {"setup_completed_at": None}
    assert entry.after == {"setup_completed_at": iso(profile_of(town_a).setup_completed_at)}


def test_neighbourhoods_added_renamed_and_removed(admin, town_a, admin_a, resident_a) -> None:
    admin.post(SETUP + "quartiers/", {"name": "Centre"})
    added = only_entry(town_a, "neighbourhood.added")
    with schema_context(town_a.schema_name):
        centre = Neighbourhood.objects.get(name="Centre")
    assert (added.actor_id, added.target_type, added.target_id) == (
        admin_a.pk,
        "townsite.neighbourhood",
        str(centre.pk),
    )
    assert (added.before, added.after) == ({}, {"name": "Centre"})

    clear_journal(town_a)
    assert admin.post(SETUP + "quartiers/", {"name": "centre"}).status_code == 400  # taken
    rename = f"{SETUP}quartiers/{centre.pk}/renommer/"
    admin.post(rename, {f"n{centre.pk}-name": "Centre"})  # the same name
    assert entries(town_a) == []
    admin.post(rename, {f"n{centre.pk}-name": "Centre-bourg"})
    renamed = only_entry(town_a, "neighbourhood.renamed")
    assert (renamed.before, renamed.after) == ({"name": "Centre"}, {"name": "Centre-bourg"})

    clear_journal(town_a)
    with schema_context(town_a.schema_name):
        ResidentProfile.objects.create(user=resident_a, neighbourhood=centre)
    admin.post(f"{SETUP}quartiers/{centre.pk}/supprimer/")
    removed = only_entry(town_a, "neighbourhood.removed")
    assert (removed.before, removed.after) == ({"name": "Centre-bourg", "resident_count": 1}, {})


def test_a_neighbourhood_removed_meanwhile_is_neither_renamed_nor_removed_twice(
    town_a, admin_a
) -> None:
    with schema_context(town_a.schema_name):
        stale = services.add_neighbourhood("Les Coteaux", by=admin_a)
        clear_journal(town_a)
        Neighbourhood.objects.filter(pk=stale.pk).delete()  # another admin, another tab
        with pytest.raises(services.SetupError):
            services.rename_neighbourhood(stale, "Coteaux", by=admin_a)
        assert services.remove_neighbourhood(stale, by=admin_a) == 0
        assert not Neighbourhood.objects.exists()
    assert entries(town_a) == []


def test_member_communes_added_at_once_are_one_entry(town_a, admin_a) -> None:
    epci = Epci.objects.create(siren="299990002", name="CC du Journal", kind="CC")
    for code, name in (("99111", "Ablis-Journal"), ("99112", "Bazoches-Journal")):
        Commune.objects.create(
            insee_code=code,
            name=name,
            search_name=name.lower(),
            departement="99",
            region="99",
            epci=epci,
        )
    with schema_context(town_a.schema_name):
        assert services.add_member_communes(epci, by=admin_a) == 2
        assert services.add_member_communes(epci, by=admin_a) == 0
    entry = only_entry(town_a, "neighbourhood.communes_added")
    assert entry.target_label == "CC du Journal"
    assert entry.after == {"names": ["Ablis-Journal", "Bazoches-Journal"]}
