"""A town admin sets up the site: dashboard, wizard steps, neighbourhoods."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from accounts.models import User
from billing.models import BillingAccount
from tenants.models import Collectivite, Commune, Epci
from tests.helpers import body
from townsite.defaults import DEFAULT_CHARTER
from townsite.models import (
    DEFAULT_PRIMARY_COLOUR,
    Neighbourhood,
    ResidentProfile,
    TownProfile,
)
from townsite.setup import contrast, queries, services
from townsite.setup.context_processors import town_site
from townsite.setup.logos import check_logo

pytestmark = pytest.mark.django_db

SETUP = "/administration/configuration/"
TEAM = "/administration/equipe/"


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#1f4fa3").save(out, format=image_format)
    return out.getvalue()


@pytest.fixture
def media_root(tmp_path: Path) -> Iterator[Path]:
    """Uploads go to a temporary folder. django-tenants' storage caches its root, so it is
    forgotten on the way in and out."""
    storage = storages["default"]
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        storage.__dict__.pop("relative_media_root", None)
        yield tmp_path
    storage.__dict__.pop("relative_media_root", None)


def profile_of(town: Collectivite) -> TownProfile:
    with schema_context(town.schema_name):
        return TownProfile.load()


def look_of(request: Any) -> Any:
    return town_site(request)["town_site"]


# --- Colour contrast ----------------------------------------------------------------------


def test_contrast_follows_wcag() -> None:
    assert contrast.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    # The design system's own blue, documented as 7.4:1 or more on white.
    assert contrast.contrast_ratio(DEFAULT_PRIMARY_COLOUR, "#fff") > 7.4
    # #767676 is the classic lightest grey passing AA on white; #777777 fails it.
    assert contrast.contrast_ratio("#767676", "#ffffff") >= 4.5
    assert contrast.contrast_ratio("#777777", "#ffffff") < 4.5
    assert contrast.normalise_hex(" #1F4FA3 ") == "#1f4fa3"
    assert contrast.normalise_hex("14a") == "#1144aa"
    assert contrast.normalise_hex("bleu") is None
    for light in ("#ffff00", "#87ceeb", "#ffffff", "#ff9900"):
        suggestion = contrast.darker_suggestion(light)
        assert contrast.contrast_ratio(suggestion, "#ffffff") >= 4.5
    assert contrast.shown_ratio(4.47) == 4.4


# --- Dashboard ----------------------------------------------------------------------------


def test_dashboard_shows_the_town_trial_links_and_checklist(admin, town_a) -> None:
    account = BillingAccount.objects.get(collectivite=town_a)
    account.trial_ends_at = timezone.now() + timedelta(days=12, hours=1)
    account.save()
    response = admin.get("/administration/")
    assert response.status_code == 200
    page = body(response)
    assert f"Administration de {town_a.name}" in page
    assert "13 jours restants" in page
    assert timezone.localtime(account.trial_ends_at).strftime("%Y") in page
    for href in (
        "/administration/abonnement/",
        "/administration/configuration/",
        "/administration/equipe/",
        "/administration/habitants/",
    ):
        assert f'href="{href}"' in page
    assert "0 étape sur 7 faite" in page
    assert page.count("à faire") == 7

    services.save_welcome_text("Bienvenue à tous !", by=None)
    services.add_neighbourhood("Centre", by=None)
    page = body(admin.get("/administration/"))
    assert "2 étapes sur 7 faites" in page


# --- The wizard, step by step -------------------------------------------------------------


def test_the_wizard_starts_at_step_one_and_goes_back_and_forth(admin) -> None:
    response = admin.get(SETUP)
    assert response.status_code == 302
    assert response["Location"] == SETUP + "apparence/"
    page = body(admin.get(SETUP + "accueil/"))
    assert "Étape 2 sur 6" in page
    assert f'href="{SETUP}apparence/"' in page  # Back
    assert "Étape 6 sur 6" in body(admin.get(SETUP + "charte/"))
    assert 'href="/administration/"' in body(admin.get(SETUP + "apparence/"))


def test_a_light_colour_is_refused_with_its_ratio_and_a_darker_one(admin, town_a) -> None:
    response = admin.post(
        SETUP + "apparence/",
        {"primary_colour": "#ffff00", "colour_picker": "#ffff00", "shown_colour": "#1f4fa3"},
    )
    assert response.status_code == 400
    page = body(response)
    assert "Cette couleur est trop claire" in page
    assert "contraste de 1,0:1" in page
    assert "au moins 5,0:1" in page
    suggestion = contrast.darker_suggestion("#ffff00")
    assert suggestion in page
    assert 'value="#ffff00"' in page  # what was typed stays
    assert 'aria-invalid="true"' in page
    assert profile_of(town_a).primary_colour == DEFAULT_PRIMARY_COLOUR  # nothing saved


def test_a_bad_colour_code_is_explained(admin) -> None:
    response = admin.post(
        SETUP + "apparence/",
        {"primary_colour": "bleu marine", "colour_picker": "#1f4fa3", "shown_colour": "#1f4fa3"},
    )
    assert response.status_code == 400
    assert "Écrivez la couleur avec un #" in body(response)
    assert 'value="bleu marine"' in body(response)


def test_without_javascript_the_changed_colour_field_wins(admin, town_a) -> None:
    response = admin.post(
        SETUP + "apparence/",
        {"primary_colour": "#1f4fa3", "colour_picker": "#7a1f1f", "shown_colour": "#1f4fa3"},
    )
    assert response.status_code == 302
    assert profile_of(town_a).primary_colour == "#7a1f1f"


def test_a_file_that_is_not_an_image_is_refused(admin, town_a, media_root) -> None:
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.4 not a picture", content_type="image/png")
    response = admin.post(
        SETUP + "apparence/",
        {"logo": fake, "primary_colour": "#2d5a27", "shown_colour": "#1f4fa3"},
    )
    assert response.status_code == 400
    page = body(response)
    assert "n’est pas une image lisible" in page
    assert 'value="#2d5a27"' in page
    assert not profile_of(town_a).logo
    assert profile_of(town_a).primary_colour == DEFAULT_PRIMARY_COLOUR
    assert not any(media_root.rglob("*.*"))


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (image_bytes("GIF"), "Seules les images PNG, JPEG ou WebP sont acceptées."),
        (b"\x89PNG" + b"0" * (2 * 1024 * 1024), "Ce fichier dépasse 2 Mo."),
        (image_bytes("PNG", (6001, 10)), "Cette image est trop grande"),
    ],
    ids=["gif", "too-big", "too-wide"],
)
def test_other_logos_are_refused(admin, town_a, media_root, upload, message) -> None:
    response = admin.post(
        SETUP + "apparence/",
        {
            "logo": SimpleUploadedFile("logo.png", upload),
            "primary_colour": "#1f4fa3",
            "shown_colour": "#1f4fa3",
        },
    )
    assert response.status_code == 400
    assert message in body(response)
    assert not profile_of(town_a).logo


def test_a_logo_and_a_colour_are_saved_and_shown(
    admin, client_for, town_a, media_root, django_capture_on_commit_callbacks
) -> None:
    upload = SimpleUploadedFile("blason.jpg", image_bytes("JPEG", (2000, 1000)))
    response = admin.post(
        SETUP + "apparence/",
        {"logo": upload, "primary_colour": "#2D5A27", "shown_colour": "#1f4fa3"},
    )
    assert response.status_code == 302
    assert response["Location"] == SETUP + "accueil/"
    profile = profile_of(town_a)
    assert profile.primary_colour == "#2d5a27"
    assert (profile.logo.name or "").startswith("logos/logo")
    stored = media_root / town_a.schema_name / profile.logo.name
    with Image.open(stored) as image:  # re-encoded, within the box
        assert image.format == "JPEG"
        assert max(image.size) == 1024

    served = client_for(town_a).get("/logo/")  # any visitor: it is on the home page
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == stored.read_bytes()

    with schema_context(town_a.schema_name):
        request = RequestFactory().get("/", HTTP_HOST=town_a.primary_host)
        request.tenant = town_a
        look = look_of(request)
        assert look["primary_colour"] == "#2d5a27"
        assert look["logo_url"].startswith("/logo/?v=")

    # A new logo replaces the old file once committed; removing it empties the field.
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            SETUP + "apparence/",
            {
                "logo": SimpleUploadedFile("new.png", image_bytes("PNG")),
                "primary_colour": "#2d5a27",
                "shown_colour": "#2d5a27",
            },
        )
    assert not stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            SETUP + "apparence/",
            {"remove_logo": "on", "primary_colour": "#2d5a27", "shown_colour": "#2d5a27"},
        )
    assert not profile_of(town_a).logo
    assert client_for(town_a).get("/logo/").status_code == 404


def selects(captured: CaptureQueriesContext) -> list[str]:
    # TENANT_LIMIT_SET_CALLS is off: django-tenants sets the search path before each query.
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET ")]


def test_the_look_costs_one_cached_query_and_follows_changes(town_a) -> None:
    with schema_context(town_a.schema_name):
        request = RequestFactory().get("/", HTTP_HOST=town_a.primary_host)
        request.tenant = town_a
        with CaptureQueriesContext(connection) as captured:
            assert look_of(request)["primary_colour"] == DEFAULT_PRIMARY_COLOUR
        assert len(selects(captured)) == 1
        with CaptureQueriesContext(connection) as captured:
            assert look_of(request)["welcome_text"] == ""
            town_site(request)  # lazy: nothing is read until a template uses it
        assert selects(captured) == []
        services.save_look(primary_colour="#7a1f1f", by=None)
        services.save_welcome_text("Bonjour !", by=None)
        look = look_of(request)
        assert look["primary_colour"] == "#7a1f1f"
        assert look["welcome_text"] == "Bonjour !"


def test_the_town_home_shows_the_colour_logo_and_welcome(admin, town_a, media_root) -> None:
    """The real pages (base.html's <head>, the town's home), not copies of their snippets."""
    home = body(admin.get("/"))
    assert f"--color-primary: {DEFAULT_PRIMARY_COLOUR};" in home
    assert 'class="town-logo"' not in home
    assert 'href="/administration/configuration/"' in home  # not set up yet: a reminder

    with schema_context(town_a.schema_name):
        logo = SimpleUploadedFile("logo.png", image_bytes("PNG"))
        services.save_look(primary_colour="#7a1f1f", logo=check_logo(logo), by=None)
        services.save_welcome_text("Bienvenue !\n\n<script>alert(1)</script>", by=None)
        services.complete_setup(by=None)
    home = body(admin.get("/"))
    assert "--color-primary: #7a1f1f;" in home
    assert re.search(r'<img src="/logo/\?v=[0-9a-f]{12}" alt="" class="town-logo">', home)
    assert "<p>Bienvenue !</p>" in home
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home
    assert "<script>alert(1)</script>" not in home
    assert "/administration/configuration/" not in home  # set up: no more reminder


def test_welcome_text_is_saved_and_leads_to_the_neighbourhoods(admin, town_a) -> None:
    response = admin.post(SETUP + "accueil/", {"welcome_text": "  Bienvenue à Villeneuve !  "})
    assert response["Location"] == SETUP + "quartiers/"
    assert profile_of(town_a).welcome_text == "Bienvenue à Villeneuve !"
    response = admin.post(SETUP + "accueil/", {"welcome_text": "x" * 2001})
    assert response.status_code == 400
    assert profile_of(town_a).welcome_text == "Bienvenue à Villeneuve !"


def test_at_least_one_module_stays_on(admin, town_a) -> None:
    response = admin.post(SETUP + "modules/", {})
    assert response.status_code == 400
    assert "Choisissez au moins un module." in body(response)
    assert profile_of(town_a).mutual_aid_enabled  # unchanged

    response = admin.post(SETUP + "modules/", {"ideas": "on"})
    assert response["Location"] == SETUP + "contact/"
    profile = profile_of(town_a)
    assert (profile.mutual_aid_enabled, profile.consultations_enabled, profile.ideas_enabled) == (
        False,
        False,
        True,
    )
    page = body(admin.get(SETUP + "modules/"))
    assert re.search(r'<input type="checkbox" name="ideas"[^>]* checked', page)
    assert not re.search(r'<input type="checkbox" name="mutual_aid"[^>]* checked', page)


def test_contact_details_are_checked_and_kept_when_wrong(admin, town_a) -> None:
    typed = {
        "address": "1 place de la Mairie\n78000 Villeneuve",
        "phone": "appelez-nous",
        "email": "mairie-at-villeneuve",
        "website": "pas une adresse",
        "opening_hours": "Lundi au vendredi, 9 h – 12 h",
    }
    response = admin.post(SETUP + "contact/", typed)
    assert response.status_code == 400
    page = body(response)
    assert "Écrivez une adresse e-mail complète" in page
    assert "Écrivez une adresse complète, par exemple https://www.example.fr." in page
    assert "Indiquez un numéro de téléphone français à 10 chiffres" in page
    assert 'value="mairie-at-villeneuve"' in page
    assert "1 place de la Mairie" in page
    assert "Lundi au vendredi, 9 h – 12 h" in page
    assert profile_of(town_a).contact_email == ""

    response = admin.post(
        SETUP + "contact/",
        {
            **typed,
            "phone": "01 23 45 67 89",
            "email": "mairie@villeneuve.example",
            "website": "https://villeneuve.example",
        },
    )
    assert response["Location"] == SETUP + "charte/"
    profile = profile_of(town_a)
    assert profile.contact_email == "mairie@villeneuve.example"
    assert profile.contact_website == "https://villeneuve.example"
    assert profile.opening_hours == typed["opening_hours"]


def test_the_charter_is_prefilled_and_cannot_be_emptied(admin, town_a) -> None:
    page = body(admin.get(SETUP + "charte/"))
    assert "Charte de participation" in page
    assert "Rester courtois et bienveillant" in page
    for empty in ("", "   \n  "):
        response = admin.post(SETUP + "charte/", {"charter": empty})
        assert response.status_code == 400
        assert "La charte ne peut pas être vide" in body(response)
    assert profile_of(town_a).charter == DEFAULT_CHARTER
    with pytest.raises(services.SetupError), schema_context(town_a.schema_name):
        services.save_charter("  ", by=None)

    response = admin.post(SETUP + "charte/", {"charter": "Soyons aimables."})
    assert response["Location"] == SETUP + "recapitulatif/"
    assert profile_of(town_a).charter == "Soyons aimables."


def test_the_summary_shows_everything_and_completes_the_setup(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        services.save_welcome_text("Bienvenue !", by=None)
        services.add_neighbourhood("Les Coteaux", by=None)
        services.save_contact(
            by=None,
            address="",
            phone="01 23 45 67 89",
            email="",
            website="",
            opening_hours="",
        )
    page = body(admin.get(SETUP + "recapitulatif/"))
    assert "Bienvenue !" in page
    assert "Les Coteaux" in page
    assert "01 23 45 67 89" in page
    assert "Entraide" in page
    assert profile_of(town_a).setup_completed_at is None

    response = admin.post(SETUP + "recapitulatif/")
    assert response["Location"] == "/administration/"
    first = profile_of(town_a).setup_completed_at
    assert first is not None
    admin.post(SETUP + "recapitulatif/")
    assert profile_of(town_a).setup_completed_at == first  # the first completion is kept
    page = body(admin.get("/administration/", follow=True))
    assert "Modifier les réglages" in page


# --- Neighbourhoods -----------------------------------------------------------------------


def test_neighbourhoods_are_added_renamed_and_names_stay_unique(admin, town_a) -> None:
    page = SETUP + "quartiers/"
    assert admin.post(page, {"name": "  Le   Bourg "}).status_code == 302
    response = admin.post(page, {"name": "le bourg"})
    assert response.status_code == 400
    assert "Il existe déjà un quartier nommé « le bourg »" in body(response)
    assert 'value="le bourg"' in body(response)
    admin.post(page, {"name": "Les Prés"})

    with schema_context(town_a.schema_name):
        bourg = Neighbourhood.objects.get(name="Le Bourg")
        assert list(Neighbourhood.objects.values_list("name", flat=True)) == [
            "Le Bourg",
            "Les Prés",
        ]
    rename = f"{page}{bourg.pk}/renommer/"
    response = admin.post(rename, {f"n{bourg.pk}-name": "Les prés"})
    assert response.status_code == 400
    assert "Il existe déjà un quartier nommé" in body(response)
    assert 'value="Les prés"' in body(response)
    assert admin.post(rename, {f"n{bourg.pk}-name": "Centre-bourg"}).status_code == 302
    with schema_context(town_a.schema_name):
        bourg.refresh_from_db()
        assert bourg.name == "Centre-bourg"


def test_removing_a_neighbourhood_asks_first_and_only_detaches_its_residents(
    admin, town_a, resident_a
) -> None:
    with schema_context(town_a.schema_name):
        coteaux = services.add_neighbourhood("Les Coteaux", by=None)
        ResidentProfile.objects.create(user=resident_a, neighbourhood=coteaux)
    url = f"{SETUP}quartiers/{coteaux.pk}/supprimer/"
    page = body(admin.get(url))
    assert "Supprimer « Les Coteaux » ?" in page
    assert "1 habitant a choisi ce quartier" in page
    with schema_context(town_a.schema_name):
        assert Neighbourhood.objects.filter(pk=coteaux.pk).exists()  # a GET changes nothing

    response = admin.post(url, follow=True)
    assert "« Les Coteaux » est supprimé." in body(response)
    assert "Ses habitants gardent leur compte" in body(response)
    with schema_context(town_a.schema_name):
        assert not Neighbourhood.objects.filter(pk=coteaux.pk).exists()
        profile = ResidentProfile.objects.get(user=resident_a)
        assert profile.neighbourhood is None
        assert User.objects.filter(pk=resident_a.pk).exists()


@pytest.fixture
def directory_epci(db) -> Epci:
    """An EPCI of the official directory with three member communes and one outsider."""
    epci = Epci.objects.create(siren="299990001", name="CC des Essais", kind="CC")
    for code, name in (("99101", "Ablis-Test"), ("99102", "Bazoches-Test"), ("99103", "Cernay")):
        Commune.objects.create(
            insee_code=code,
            name=name,
            search_name=name.lower(),
            departement="99",
            region="99",
            epci=epci,
        )
    Commune.objects.create(
        insee_code="99199", name="Ailleurs", search_name="ailleurs", departement="99", region="99"
    )
    return epci


def test_member_communes_of_an_epci_are_added_once(town_a, directory_epci) -> None:
    with schema_context(town_a.schema_name):
        Neighbourhood.objects.create(name="Cernay")  # already there by name
        assert [c.name for c in queries.member_communes_to_add(directory_epci)] == [
            "Ablis-Test",
            "Bazoches-Test",
        ]
        assert services.add_member_communes(directory_epci, by=None) == 2
        assert services.add_member_communes(directory_epci, by=None) == 0
        rows = list(Neighbourhood.objects.values_list("name", "commune_insee"))
        assert rows == [("Cernay", ""), ("Ablis-Test", "99101"), ("Bazoches-Test", "99102")]
        with pytest.raises(services.SetupError):
            services.add_member_commune(directory_epci, "99199", by=None)  # not a member
        with pytest.raises(services.SetupError):
            services.add_member_commune(directory_epci, "99101", by=None)  # already added


def test_an_intercommunalite_site_offers_its_member_communes(admin, town_a, directory_epci) -> None:
    """Town A turned into an intercommunalité inside this test's transaction."""
    town_a.kind = Collectivite.Kind.INTERCOMMUNALITE
    town_a.official_code = directory_epci.siren
    town_a.save()  # the host cache follows (tenants.signals)
    page = body(admin.get(SETUP + "quartiers/"))
    assert "Communes membres" in page
    assert "Les communes de CC des Essais" in page
    assert "Ajouter toutes les communes membres (3)" in page
    assert "Ailleurs" not in page

    response = admin.post(SETUP + "quartiers/communes/", {"insee_code": "99102"}, follow=True)
    assert "« Bazoches-Test » est ajouté." in body(response)
    response = admin.post(SETUP + "quartiers/communes/", {}, follow=True)
    assert "Communes membres ajoutées : 2." in body(response)
    assert "Toutes les communes membres sont dans votre liste." in body(response)
    with schema_context(town_a.schema_name):
        assert set(Neighbourhood.objects.values_list("commune_insee", flat=True)) == {
            "99101",
            "99102",
            "99103",
        }


def test_a_commune_site_has_no_member_communes(admin, town_a) -> None:
    assert "Les communes de" not in body(admin.get(SETUP + "quartiers/"))
    assert admin.post(SETUP + "quartiers/communes/", {}).status_code == 404
