"""A used confirmation link says the site exists; the new mayor chooses a password first."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.addresses import town_url
from tenants.models import Collectivite
from tests.directory_sample import load_directory_sample
from tests.helpers import body
from tests.onboarding_support import ask_for_trial, confirmation_link

pytestmark = pytest.mark.django_db

PASSWORD = "une-place-au-soleil-78"  # noqa: S105  (test data)
SETUP_PAGES = [
    "/administration/",
    "/administration/configuration/",
    "/administration/configuration/apparence/",
    "/administration/configuration/recapitulatif/",
    "/administration/equipe/",
    "/administration/journal/",
]


@pytest.fixture(autouse=True)
def sample(db: None) -> None:
    load_directory_sample()


@pytest.fixture
def link(django_capture_on_commit_callbacks: Any) -> str:
    mail.outbox.clear()
    ask_for_trial(django_capture_on_commit_callbacks)
    return confirmation_link(str(mail.outbox[-1].body))


def _public() -> Client:
    return Client(HTTP_HOST=settings.ROOT_DOMAIN)


@pytest.fixture
def signer(link: str) -> Client:
    """The signer's browser, just in through the welcome link."""
    welcome = _public().post(link)["Location"]
    browser = Client(HTTP_HOST="chavenay.localhost")
    landing = browser.get(urlparse(welcome).path)
    assert landing.status_code == 302
    return browser


# --- 5. A used confirmation link ------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_used_link_says_the_site_exists_and_links_to_it_and_its_login(
    link: str, method: str
) -> None:
    assert _public().post(link).status_code == 302
    response = getattr(_public(), method)(link)
    page = body(response)
    assert response.status_code == 410
    assert "Le site de Chavenay existe déjà" in page
    assert "Ce lien a déjà été utilisé" in page
    assert f'href="{town_url("chavenay", "/accounts/login/")}"' in page
    assert f'href="{town_url("chavenay")}"' in page
    assert "Créer mon site" not in page and "Recommencer" not in page


def test_an_unused_link_still_offers_the_button(link: str) -> None:
    page = body(_public().get(link))
    assert "Créer le site de Chavenay" in page and "Créer mon site" in page


def test_a_used_link_of_a_closed_site_links_nowhere(link: str) -> None:
    _public().post(link)
    town = Collectivite.objects.get(slug="chavenay")
    town.status = Collectivite.Status.DEACTIVATED
    town.save(update_fields=["status"])
    page = body(_public().get(link))
    assert "existe déjà" in page and town_url("chavenay", "/accounts/login/") not in page


# --- 6. The password comes first ----------------------------------------------------------


def test_the_welcome_link_lands_on_choosing_a_password(signer: Client) -> None:
    page = signer.get("/bienvenue/mot-de-passe/")
    assert page.status_code == 200
    assert "D’abord, choisissez votre mot de passe" in body(page)
    assert 'autocomplete="new-password"' in body(page)


@pytest.mark.parametrize("path", SETUP_PAGES)
def test_the_administration_sends_back_to_the_password_until_one_is_chosen(
    signer: Client, path: str
) -> None:
    response = signer.get(path)
    assert response.status_code == 302 and response["Location"] == "/bienvenue/mot-de-passe/"


def test_a_bad_password_is_explained_and_nothing_is_saved(signer: Client) -> None:
    response = signer.post("/bienvenue/mot-de-passe/", {"password1": "court", "password2": "autre"})
    assert response.status_code == 400
    assert "Les deux mots de passe ne correspondent pas" in body(response)
    with schema_context("t_chavenay"):
        assert not User.objects.get().has_usable_password()


def test_once_chosen_the_wizard_opens_and_the_password_logs_in_after_logging_out(
    signer: Client,
) -> None:
    saved = signer.post("/bienvenue/mot-de-passe/", {"password1": PASSWORD, "password2": PASSWORD})
    assert saved.status_code == 302 and saved["Location"] == "/administration/configuration/"
    assert signer.get("/administration/configuration/apparence/").status_code == 200
    # The page does not come back once a password exists.
    assert signer.get("/bienvenue/mot-de-passe/")["Location"] == "/administration/configuration/"

    signer.post("/accounts/logout/")
    assert not signer.get("/").wsgi_request.user.is_authenticated
    login = signer.post("/accounts/login/", {"login": "maire@chavenay.fr", "password": PASSWORD})
    assert login.status_code == 302
    assert signer.get("/administration/").status_code == 200


def test_the_password_page_cannot_change_an_existing_password(client_for, town_a, admin_a):
    client = client_for(town_a, admin_a)
    response = client.post(
        "/bienvenue/mot-de-passe/", {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        assert not User.objects.get(pk=admin_a.pk).check_password(PASSWORD)


def test_a_guest_is_sent_to_log_in(client_for, town_a) -> None:
    response = client_for(town_a).get("/bienvenue/mot-de-passe/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_signers_session_is_nobody_on_another_town(signer: Client, town_a) -> None:
    signer.defaults["HTTP_HOST"] = town_a.primary_host
    response = signer.post(
        "/bienvenue/mot-de-passe/", {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
