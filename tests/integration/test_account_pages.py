"""The account pages residents see speak our words, not allauth's or Django's defaults."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Collectivite
from tests.unit.test_wording import BANNED
from townsite.models import Neighbourhood
from townsite.residents import services
from townsite.residents.views import PENDING_LOGIN_KEY

pytestmark = pytest.mark.django_db

# allauth's own French, which our pages replace.
ALLAUTH_DEFAULTS = (
    "merci de vous enregistrer au préalable",
    "Courriel",
    "déconnecté(e)",
    "Connexion",
    "Réinitialiser mon mot de passe",
    "Réinitialisation du mot de passe",
    "Vérifiez votre adresse e-mail",
)


def assert_our_words(response, *expected: str) -> str:
    assert response.status_code == 200
    text = response.content.decode()
    for default in ALLAUTH_DEFAULTS:
        assert default not in text, f"{default!r} on {response.request['PATH_INFO']}"
    for name, pattern in BANNED.items():
        assert not pattern.search(text), f"{name} on {response.request['PATH_INFO']}"
    for words in expected:
        assert words in text, f"{words!r} not on {response.request['PATH_INFO']}"
    return text


def test_the_pages_before_logging_in(client_for: Callable[..., Client], town_a) -> None:
    guest = client_for(town_a)
    assert_our_words(
        guest.get("/accounts/login/"),
        f"Se connecter au site de {town_a.name}",
        "Adresse e-mail ou identifiant",
        "Mot de passe oublié ?",
        "Première connexion avec le code",
    )
    assert_our_words(guest.get("/accounts/signup/"), "Adresse e-mail")
    assert_our_words(
        guest.get("/accounts/password/reset/"),
        "Tapez l’adresse e-mail de votre compte.",
        "Envoyez-moi le lien",
    )
    assert_our_words(guest.get("/accounts/password/reset/done/"), "Regardez vos e-mails")
    assert_our_words(guest.get("/accounts/confirm-email/"), "Regardez vos e-mails")
    assert_our_words(
        guest.get("/accounts/confirm-email/une-cle-fausse/"), "Ce lien ne fonctionne plus"
    )
    assert_our_words(
        guest.get("/accounts/password/reset/key/1-une-cle-fausse/", follow=True),
        "Ce lien ne fonctionne plus",
    )


def test_the_pages_of_a_logged_in_resident(
    client_for: Callable[..., Client], town_a, resident_a: User
) -> None:
    client = client_for(town_a, resident_a)
    assert_our_words(client.get("/accounts/logout/"), "Voulez-vous quitter votre compte")
    assert_our_words(client.get("/accounts/password/change/"), "Changer mon mot de passe")
    assert_our_words(client.get("/accounts/email/"), "Mes adresses e-mail", "Adresse e-mail")
    left = client.post("/accounts/logout/", follow=True)
    assert_our_words(left, "Vous avez quitté votre compte. À bientôt !")


def test_the_desk_form_speaks_to_the_agent(
    client_for: Callable[..., Client], town_a: Collectivite, admin_a: User
) -> None:
    with schema_context(town_a.schema_name):
        Neighbourhood.objects.create(name="Le Centre")
    page = assert_our_words(
        client_for(town_a, admin_a).get("/administration/habitants/nouveau/"),
        "Le quartier de la personne, pour lui montrer ce qui se passe près de chez elle.",
    )
    assert "Votre quartier" not in page


def test_a_resident_the_town_hall_registered_is_not_asked_to_join(
    client_for: Callable[..., Client], town_a: Collectivite, admin_a: User
) -> None:
    with schema_context(town_a.schema_name):
        registration = services.register_at_desk(admin_a, display_name="Anne", neighbourhood=None)
        profile = registration.user.resident_profile
    client = client_for(town_a)
    with schema_context(town_a.schema_name):  # sessions are stored in the town's schema
        session = client.session
        session[PENDING_LOGIN_KEY] = {"profile": profile.pk, "hash": profile.login_code_hash}
        session.save()
    password = "un-jardin-sous-la-pluie"
    response = client.post(
        "/premiere-connexion/mot-de-passe/", {"password1": password, "password2": password}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Pour continuer, acceptez la charte." in text
    assert "Pour vous inscrire" not in text
