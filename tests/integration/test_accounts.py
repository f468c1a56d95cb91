"""Accounts: residents sign up on their town with a verified email; staff sign in on the root."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_ops_staff

pytestmark = pytest.mark.django_db

SIGNUP = {
    "display_name": "Martine",
    "email": "Martine.Dupont@Example.org",
    "password1": TEST_PASSWORD,
    "password2": TEST_PASSWORD,
    "charter": "on",
}


def test_a_resident_signs_up_verifies_the_email_and_logs_in(
    client_for, town_a, town_b, django_capture_on_commit_callbacks
) -> None:
    client = client_for(town_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"

    # The confirmation email left through Celery once the sign-up committed.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["martine.dupont@example.org"]
    link = re.search(r"https?://(\S+?)(/accounts/confirm-email/\S+)", str(message.body))
    assert link, message.body
    assert link.group(1).split(":")[0] == town_a.primary_host

    with schema_context(town_a.schema_name):
        user = User.objects.get(email="martine.dupont@example.org")
        assert user.display_name == "Martine"
        assert user.role == User.Role.RESIDENT
    with schema_context(town_b.schema_name):
        assert not User.objects.filter(email="martine.dupont@example.org").exists()

    # Before confirming, logging in only leads back to the verification step.
    fresh = client_for(town_a)
    response = fresh.post("/accounts/login/", {"login": SIGNUP["email"], "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in fresh.session

    response = fresh.post(link.group(2))
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        assert EmailAddress.objects.get(email="martine.dupont@example.org").verified

    response = fresh.post("/accounts/login/", {"login": SIGNUP["email"], "password": TEST_PASSWORD})
    assert response.status_code == 302
    home = fresh.get("/")
    assert home.wsgi_request.user.pk == user.pk
    assert "Bonjour Martine, bienvenue sur le site de votre commune." in home.content.decode()


def test_a_bad_sign_up_explains_in_french_and_keeps_what_was_typed(client_for, town_a) -> None:
    response = client_for(town_a).post(
        "/accounts/signup/", {**SIGNUP, "password2": "pas-le-meme-mot-de-passe"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Vous devez saisir deux fois le même mot de passe" in body
    assert 'value="Martine"' in body
    assert "Martine.Dupont@Example.org" in body
    with schema_context(town_a.schema_name):
        assert not User.objects.filter(display_name="Martine").exists()
    assert mail.outbox == []


def test_nobody_signs_up_on_the_root_domain(public_client: Client) -> None:
    response = public_client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 200
    assert "Pas d’inscription ici" in response.content.decode()
    assert not User.objects.filter(email="martine.dupont@example.org").exists()


def test_a_resident_logs_in_by_email(client_for, town_a, resident_a) -> None:
    client = client_for(town_a)
    response = client.post(
        "/accounts/login/", {"login": resident_a.email.upper(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == resident_a.pk


def test_wrong_password_is_refused_in_french(client_for, town_a, resident_a) -> None:
    response = client_for(town_a).post(
        "/accounts/login/", {"login": resident_a.email, "password": "faux"}
    )
    assert response.status_code == 200
    assert (
        "Cette adresse e-mail ou cet identifiant et ce mot de passe ne vont pas ensemble."
        in response.content.decode()
    )


def test_ops_staff_must_set_up_totp_before_anything_else(public_client: Client) -> None:
    staff = create_ops_staff(
        email="ops@placette.example", display_name="Ops", password=TEST_PASSWORD
    )
    response = public_client.post(
        "/accounts/login/", {"login": staff.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    response = public_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    # allauth asks for the password once more before an authenticator is added.
    response = public_client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    public_client.post(response["Location"], {"password": TEST_PASSWORD})
    response = public_client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    assert "Activer" in response.content.decode()


def test_ops_staff_with_totp_are_asked_for_a_code_at_login(public_client: Client) -> None:
    staff = create_ops_staff(
        email="ops@placette.example", display_name="Ops", password=TEST_PASSWORD
    )
    Authenticator.objects.create(
        user=staff, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    response = public_client.post(
        "/accounts/login/", {"login": staff.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in public_client.session


def test_town_accounts_cannot_log_in_on_the_root_domain(public_client: Client, resident_a) -> None:
    response = public_client.post(
        "/accounts/login/", {"login": resident_a.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in public_client.session
