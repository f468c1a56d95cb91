"""Every account email of a town's site is the town's: sent under its name, with its name in the
subject, signed by its town hall (an intercommunalité by its own name), in short plain French.
On the root domain they are Placette's."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import cast

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD, UserFactory
from accounts.models import User
from accounts.services import create_ops_staff
from tenants.addresses import root_url, town_url
from tenants.models import Collectivite

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-autre-mot-de-passe-solide"
SIGNUP = {
    "display_name": "Martine",
    "password1": TEST_PASSWORD,
    "password2": TEST_PASSWORD,
    "charter": "on",
}


@pytest.fixture
def sent(django_capture_on_commit_callbacks) -> Callable[..., list[mail.EmailMessage]]:
    """`sent(lambda: client.post(...))`: the emails the action sends once it commits."""

    def run(action: Callable[[], object]) -> list[mail.EmailMessage]:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return list(mail.outbox)

    return run


def assert_the_towns(message: mail.EmailMessage, town: Collectivite, signature: str) -> str:
    body = str(message.body)
    assert str(message.subject).startswith(f"[{town.name}] "), message.subject
    assert message.from_email == f"{town.name} <ne-pas-repondre@localhost>"
    assert body.startswith("Bonjour,\n\n"), body
    assert body.endswith(f"\n\n{signature}\n{town_url(town.slug)}"), body
    assert "Placette" not in body and "Placette" not in str(message.subject)
    return body


def _only(messages: list[mail.EmailMessage]) -> mail.EmailMessage:
    assert len(messages) == 1, [m.subject for m in messages]
    return messages[0]


def _link(body: str, path: str) -> str:
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S*)", body)
    assert found, body
    return found.group(1)


def test_the_sign_up_confirmation(client_for, town_a, sent) -> None:
    message = _only(
        sent(
            lambda: client_for(town_a).post(
                "/accounts/signup/", {**SIGNUP, "email": "martine@example.org"}
            )
        )
    )
    assert message.subject == (
        f"[{town_a.name}] Confirmez votre adresse e-mail pour finir votre inscription"
    )
    body = assert_the_towns(message, town_a, f"La mairie de {town_a.name}")
    assert f"Bienvenue sur le site de {town_a.name} !" in body
    assert _link(body, "/accounts/confirm-email/")


def test_the_confirmation_of_an_added_address(client_for, town_a, resident_a, sent) -> None:
    client = client_for(town_a, resident_a)
    message = _only(
        sent(
            lambda: client.post(
                "/accounts/email/", {"action_add": "", "email": "autre@example.org"}
            )
        )
    )
    assert message.to == ["autre@example.org"]
    assert message.subject == f"[{town_a.name}] Confirmez votre adresse e-mail"
    body = assert_the_towns(message, town_a, f"La mairie de {town_a.name}")
    assert f"Cette adresse e-mail a été donnée sur le site de {town_a.name}." in body


def test_the_password_reset_link(client_for, town_a, resident_a, sent) -> None:
    message = _only(
        sent(
            lambda: client_for(town_a).post(
                "/accounts/password/reset/", {"email": resident_a.email}
            )
        )
    )
    assert message.subject == f"[{town_a.name}] Choisir un nouveau mot de passe"
    body = assert_the_towns(message, town_a, f"La mairie de {town_a.name}")
    assert _link(body, "/accounts/password/reset/key/")


def test_the_password_reset_link_reminds_a_desk_resident_of_their_login_name(
    client_for, town_a, sent
) -> None:
    with schema_context(town_a.schema_name):
        user = cast(User, UserFactory(email="desk@example.org"))
        User.objects.filter(pk=user.pk).update(login_name="dupont-2345")
    message = _only(
        sent(
            lambda: client_for(town_a).post(
                "/accounts/password/reset/", {"email": "desk@example.org"}
            )
        )
    )
    assert "Votre identifiant est dupont-2345." in str(message.body)


def test_the_unknown_account_notice(client_for, town_a, sent) -> None:
    message = _only(
        sent(
            lambda: client_for(town_a).post(
                "/accounts/password/reset/", {"email": "personne@example.org"}
            )
        )
    )
    assert message.subject == f"[{town_a.name}] Aucun compte avec cette adresse e-mail"
    body = assert_the_towns(message, town_a, f"La mairie de {town_a.name}")
    assert _link(body, "/accounts/signup/")


def test_the_account_already_exists_notice(client_for, town_a, resident_a, sent) -> None:
    message = _only(
        sent(
            lambda: client_for(town_a).post(
                "/accounts/signup/", {**SIGNUP, "email": resident_a.email}
            )
        )
    )
    assert message.subject == f"[{town_a.name}] Vous avez déjà un compte"
    body = assert_the_towns(message, town_a, f"La mairie de {town_a.name}")
    assert _link(body, "/accounts/password/reset/")


def test_the_password_changed_notice(client_for, town_a, resident_a, sent) -> None:
    client = client_for(town_a, resident_a)
    data = {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    message = _only(sent(lambda: client.post("/accounts/password/change/", data)))
    assert message.to == [resident_a.email]
    assert message.subject == f"[{town_a.name}] Votre mot de passe a été changé"
    body = assert_the_towns(message, town_a, f"La mairie de {town_a.name}")
    assert "Le mot de passe de votre compte a été changé." in body
    assert re.search(r"C’était le \d+(er)? \w+ \d{4} à \d{1,2} h \d{2}\.", body), body
    assert "prévenez la mairie" in body


def test_the_password_set_notice(client_for, town_a, sent) -> None:
    with schema_context(town_a.schema_name):
        user = cast(User, UserFactory())
        user.set_unusable_password()
        user.save()
    client = client_for(town_a, user)
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    message = _only(sent(lambda: client.post("/accounts/password/set/", data)))
    assert message.subject == f"[{town_a.name}] Un mot de passe a été choisi pour votre compte"
    assert_the_towns(message, town_a, f"La mairie de {town_a.name}")


def test_the_password_reset_notice(client_for, town_a, resident_a, sent) -> None:
    guest = client_for(town_a)
    link = _only(sent(lambda: guest.post("/accounts/password/reset/", {"email": resident_a.email})))
    form_page = guest.get(_link(str(link.body), "/accounts/password/reset/key/"))["Location"]
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    message = _only(sent(lambda: guest.post(form_page, data)))
    assert message.subject == f"[{town_a.name}] Votre mot de passe a été changé"
    body = assert_the_towns(message, town_a, f"La mairie de {town_a.name}")
    assert "avec un lien envoyé par e-mail" in body


@pytest.fixture
def second_address(town_a: Collectivite, resident_a: User) -> Iterator[str]:
    with schema_context(town_a.schema_name):
        EmailAddress.objects.create(
            user=resident_a, email="deuxieme@example.org", verified=True, primary=False
        )
    yield "deuxieme@example.org"


def test_the_email_changed_notice(client_for, town_a, resident_a, second_address, sent) -> None:
    client = client_for(town_a, resident_a)
    data = {"action_primary": "", "email": second_address}
    message = _only(sent(lambda: client.post("/accounts/email/", data)))
    assert message.to == [resident_a.email]  # the old address hears of it
    assert message.subject == f"[{town_a.name}] Votre adresse e-mail a changé"
    body = assert_the_towns(message, town_a, f"La mairie de {town_a.name}")
    assert f"est maintenant {second_address}. C’était {resident_a.email}." in body


def test_the_email_removed_notice(client_for, town_a, resident_a, second_address, sent) -> None:
    client = client_for(town_a, resident_a)
    data = {"action_remove": "", "email": second_address}
    message = _only(sent(lambda: client.post("/accounts/email/", data)))
    assert message.subject == f"[{town_a.name}] Une adresse e-mail a été retirée de votre compte"
    body = assert_the_towns(message, town_a, f"La mairie de {town_a.name}")
    assert f"L’adresse {second_address} a été retirée de votre compte." in body


def test_an_intercommunalite_signs_with_its_own_name(client_for, town_a, resident_a, sent) -> None:
    town_a.kind = Collectivite.Kind.INTERCOMMUNALITE
    town_a.name = "Communauté de communes de l’Essai"
    town_a.save(update_fields=["kind", "name"])  # the host map forgets the old one
    message = _only(
        sent(
            lambda: client_for(town_a).post(
                "/accounts/password/reset/", {"email": resident_a.email}
            )
        )
    )
    assert message.subject == (
        "[Communauté de communes de l’Essai] Choisir un nouveau mot de passe"
    )
    assert_the_towns(message, town_a, "Communauté de communes de l’Essai")


def test_the_root_domains_emails_are_placettes(public_client: Client, sent) -> None:
    create_ops_staff(email="ops@placette.example", display_name="Ops", password=TEST_PASSWORD)
    message = _only(
        sent(
            lambda: public_client.post(
                "/accounts/password/reset/", {"email": "ops@placette.example"}
            )
        )
    )
    assert message.subject == "[Placette] Choisir un nouveau mot de passe"
    assert message.from_email == "Placette <ne-pas-repondre@localhost>"
    assert str(message.body).endswith(f"\n\nL’équipe Placette\n{root_url()}")
    assert "mairie" not in str(message.body)
