"""Links in emails and printed sheets go to the town's own address, whatever Host was sent.

A browser (or an attacker) can send `Host: town-a.localhost:6666`: the request is served, but
a link built from that Host would send a resident to port 6666. Links are built from the
town's domain and SITE_SCHEME / SITE_PORT (tenants.addresses), and allauth's emails name the
town, not the host.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from tenants.models import Collectivite
from townsite.residents import services

pytestmark = pytest.mark.django_db

SITE_PORT = 18900
FOREIGN_PORT = "6666"


@pytest.fixture(autouse=True)
def _site_port(settings) -> None:
    settings.SITE_PORT = SITE_PORT


def _foreign(town: Collectivite, client: Client | None = None) -> Client:
    """A client (a guest by default) whose requests carry the town's host with a foreign port."""
    client = client or Client()
    client.defaults["HTTP_HOST"] = f"{town.primary_host}:{FOREIGN_PORT}"
    return client


def _origin(town: Collectivite) -> str:
    return f"http://{town.primary_host}:{SITE_PORT}"


def _links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def _body(capture, client: Client, path: str, data: dict[str, str]) -> str:
    with capture(execute=True):
        client.post(path, data)
    assert len(mail.outbox) == 1
    body = str(mail.outbox[0].body)
    assert FOREIGN_PORT not in body
    return body


def test_the_confirmation_email_names_the_town_and_links_to_its_address(
    town_a, django_capture_on_commit_callbacks
) -> None:
    form = {
        "display_name": "Martine",
        "email": "martine@example.org",
        "password1": TEST_PASSWORD,
        "password2": TEST_PASSWORD,
        "charter": "on",
    }
    body = _body(django_capture_on_commit_callbacks, _foreign(town_a), "/accounts/signup/", form)
    [link] = _links(body)
    assert link.startswith(f"{_origin(town_a)}/accounts/confirm-email/")
    assert f"Bonjour, c'est {town_a.name} !" in body
    assert f"{town_a.primary_host}:{SITE_PORT}" in body  # allauth's signature line


def test_the_password_reset_link_goes_to_the_towns_address(
    town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    body = _body(
        django_capture_on_commit_callbacks,
        _foreign(town_a),
        "/accounts/password/reset/",
        {"email": resident_a.email},
    )
    [link] = _links(body)
    assert link.startswith(f"{_origin(town_a)}/accounts/password/reset/key/")


def test_the_unknown_account_email_links_to_the_towns_sign_up(
    town_a, django_capture_on_commit_callbacks
) -> None:
    body = _body(
        django_capture_on_commit_callbacks,
        _foreign(town_a),
        "/accounts/password/reset/",
        {"email": "personne@example.org"},
    )
    assert _links(body) == [f"{_origin(town_a)}/accounts/signup/"]


def test_the_account_exists_email_links_to_the_towns_pages(
    town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    form = {
        "display_name": "Martine",
        "email": resident_a.email,
        "password1": TEST_PASSWORD,
        "password2": TEST_PASSWORD,
        "charter": "on",
    }
    body = _body(django_capture_on_commit_callbacks, _foreign(town_a), "/accounts/signup/", form)
    assert _links(body) == [f"{_origin(town_a)}/accounts/password/reset/"]


def test_an_invitation_links_to_the_towns_address(
    client_for, town_a, admin_a, django_capture_on_commit_callbacks
) -> None:
    admin = _foreign(town_a, client_for(town_a, admin_a))
    body = _body(
        django_capture_on_commit_callbacks,
        admin,
        "/administration/equipe/",
        {"email": "nouvelle@example.org", "role": "moderator"},
    )
    [link] = _links(body)
    assert link.startswith(f"{_origin(town_a)}/invitation/")


def test_the_printed_welcome_sheet_gives_the_towns_address(client_for, town_a, admin_a) -> None:
    with schema_context(town_a.schema_name):
        registration = services.register_at_desk(admin_a, display_name="Jeanne", neighbourhood=None)
    agent = _foreign(town_a, client_for(town_a, admin_a))
    sheet = agent.get(f"/administration/habitants/{registration.user.pk}/fiche/")
    text = sheet.content.decode()
    assert f"{_origin(town_a)}/premiere-connexion/" in text
    assert FOREIGN_PORT not in text
