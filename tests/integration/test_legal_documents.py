"""The legal texts: readable before they are ticked, versioned, the version each signer accepted
kept (on the request and on the town), and linked from every page of every site."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from onboarding import legal
from onboarding.models import LegalAcceptance, SignupRequest
from tests.directory_sample import load_directory_sample
from tests.helpers import body
from tests.onboarding_support import TRIAL_FORM, ask_for_trial, open_site
from townsite.models import TownProfile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sample(db: None) -> None:
    load_directory_sample()


def _public() -> Client:
    return Client(HTTP_HOST=settings.ROOT_DOMAIN)


def _article(page: str) -> str:
    return page[page.index('<article class="legal">') : page.index("</article>")]


@pytest.mark.parametrize(
    ("slug", "title", "words"),
    [
        ("conditions-generales", "Conditions générales d’utilisation", "Essai gratuit"),
        ("accord-de-traitement", "Accord de traitement des données", "article 28"),
        ("confidentialite", "Politique de confidentialité", "Vos droits"),
    ],
)
def test_each_text_is_readable_at_its_current_version_and_by_version(
    slug: str, title: str, words: str
) -> None:
    current = body(_public().get(f"/documents/{slug}/"))
    assert f"<h1>{title}</h1>" in current and words in current
    assert "Version 1 du 1er décembre 2026" in current
    by_version = body(_public().get(f"/documents/{slug}/version-1/"))
    assert _article(by_version) == _article(current)
    assert _public().get(f"/documents/{slug}/version-9/").status_code == 404


def test_the_processing_agreement_says_what_article_28_asks() -> None:
    page = body(_public().get("/documents/accord-de-traitement/"))
    for heading in (
        "Objet",
        "Durée",
        "Nature et finalité du traitement",
        "Données et personnes concernées",
        "Sécurité",
        "Sous-traitants ultérieurs",
        "Aide à la collectivité",
        "suppression ou restitution",
        "Audits",
    ):
        assert heading in page, heading
    assert "responsable du traitement" in page and "sous-traitant" in page
    assert settings.LEGAL_HOST in page


def test_an_unknown_text_is_a_404() -> None:
    assert _public().get("/documents/reglement-interieur/").status_code == 404


def test_the_form_links_each_box_to_the_version_it_accepts() -> None:
    page = body(_public().get("/essai/commune/78152/"))
    assert 'href="/documents/conditions-generales/version-1/" target="_blank"' in page
    assert 'href="/documents/accord-de-traitement/version-1/" target="_blank"' in page
    assert 'name="terms_version" value="1"' in page and 'name="dpa_version" value="1"' in page


def test_the_versions_accepted_are_kept_on_the_request_and_carried_to_the_town(
    django_capture_on_commit_callbacks: Any,
) -> None:
    town = open_site(django_capture_on_commit_callbacks)
    signup = SignupRequest.objects.get()
    assert (signup.terms_version, signup.dpa_version) == ("1", "1")
    accepted = {
        (a.document, a.version, a.accepted_at, a.accepted_by_email)
        for a in LegalAcceptance.objects.filter(collectivite=town)
    }
    assert accepted == {
        ("terms", "1", signup.accepted_terms_at, "maire@chavenay.fr"),
        ("dpa", "1", signup.accepted_terms_at, "maire@chavenay.fr"),
    }


def test_a_box_ticked_for_an_older_version_is_refused(
    django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    newer = legal.Version("2", date(2027, 1, 1), "onboarding/legal/terms_v1.html")
    monkeypatch.setattr(
        legal, "TERMS", legal.Document(**{**legal.TERMS.__dict__, "versions": (newer,)})
    )
    mail.outbox.clear()
    response = ask_for_trial(django_capture_on_commit_callbacks)  # posts version 1
    assert response.status_code == 400
    assert "Les conditions ou l’accord de traitement ont changé" in body(response)
    assert 'name="terms_version" value="2"' in body(response)
    assert 'value="Claire Martin"' in body(response)
    assert not SignupRequest.objects.exists() and mail.outbox == []


def test_the_public_site_links_its_legal_notice_and_privacy_policy() -> None:
    home = body(_public().get("/"))
    assert 'href="/mentions-legales/"' in home and 'href="/confidentialite/"' in home
    notice = body(_public().get("/mentions-legales/"))
    assert settings.LEGAL_ENTITY_NAME in notice and settings.LEGAL_HOST in notice
    privacy = body(_public().get("/confidentialite/"))
    assert "Politique de confidentialité" in privacy and "Version 1" in privacy


def test_every_town_page_links_the_towns_own_notice_and_policy(client_for, town_a) -> None:
    home = body(client_for(town_a).get("/"))
    assert 'href="/mentions-legales/"' in home and 'href="/confidentialite/"' in home
    login = body(client_for(town_a).get("/accounts/login/"))
    assert 'href="/confidentialite/"' in login


def test_a_towns_privacy_policy_names_the_town_as_controller_and_placette_as_processor(
    django_capture_on_commit_callbacks: Any,
) -> None:
    town = open_site(django_capture_on_commit_callbacks)
    with schema_context(town.schema_name):
        profile = TownProfile.load()
        profile.contact_email = "mairie@chavenay.fr"
        profile.contact_address = "1 place de l’Église, 78450 Chavenay"
        profile.save()
    page = body(Client(HTTP_HOST="chavenay.localhost").get("/confidentialite/"))
    assert "<strong>Chavenay</strong> est responsable du traitement" in page
    assert "mairie@chavenay.fr" in page and "78450 Chavenay" in page
    assert f"<strong>{settings.LEGAL_ENTITY_NAME}</strong>" in page and "sous-traitant" in page
    agreement = LegalAcceptance.objects.get(collectivite=town, document="dpa")
    assert "version 1, accepté le" in page
    assert "/documents/accord-de-traitement/version-1/" in page
    assert agreement.accepted_by_email == "maire@chavenay.fr"


def test_a_towns_legal_notice_names_the_town_as_publisher_and_placette_as_host(
    client_for, town_a
) -> None:
    page = body(client_for(town_a).get("/mentions-legales/"))
    assert "Villeneuve-les-Tests" in page and "le maire de Villeneuve-les-Tests" in page
    assert settings.LEGAL_ENTITY_NAME in page and settings.LEGAL_HOST in page


def test_town_b_shows_its_own_name_not_town_as(client_for, town_a, town_b) -> None:
    page = body(client_for(town_b).get("/confidentialite/"))
    assert "Bourg-sur-Essai" in page and "Villeneuve-les-Tests" not in page


# --- The form's smaller fixes ---------------------------------------------------------------


def test_which_role_sits_with_the_roles_and_is_asked_only_for_other(
    django_capture_on_commit_callbacks: Any,
) -> None:
    page = body(_public().get("/essai/commune/78152/"))
    roles = page[page.index('class="role-choices"') :]
    assert (
        roles.index('value="autre"')
        < roles.index('class="role-other"')
        < roles.index('name="signer_role_other"')
    )
    ask_for_trial(django_capture_on_commit_callbacks, signer_role_other="Secrétaire de mairie")
    assert SignupRequest.objects.get().signer_role_other == ""  # "Maire" was chosen
    asked = _public().post(
        "/essai/commune/91226/", {**TRIAL_FORM, "signer_role": "autre", "slug": "etrechy"}
    )
    assert asked.status_code == 400 and "Précisez votre fonction" in body(asked)


def test_both_boxes_are_drawn_by_the_same_partial() -> None:
    page = body(_public().get("/essai/commune/78152/"))
    boxes = page.split('<div class="choice"><input type="checkbox"')
    assert len(boxes) == 3
