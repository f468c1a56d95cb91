"""Plain-text emails, ours and allauth's, are never HTML-escaped: in bodies and in subjects."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.factories import TEST_PASSWORD
from onboarding.services import contact_existing_town
from tenants.models import Collectivite

pytestmark = pytest.mark.django_db

NAME = "L'Haÿ-les-Roses <Val-de-Marne>"
ESCAPES = ("&#x27;", "&#39;", "&lt;", "&gt;", "&amp;", "&quot;")


@pytest.fixture
def lhay(town_a: Collectivite) -> Collectivite:
    town_a.name = NAME
    town_a.save(update_fields=["name"])  # the host map forgets the old name (tenants.signals)
    return town_a


def _sent_once(capture, send) -> mail.EmailMessage:
    with capture(execute=True):
        send()
    assert len(mail.outbox) >= 1
    message = mail.outbox[0]
    for text in (str(message.subject), str(message.body)):
        for escape in ESCAPES:
            assert escape not in text, text
    return message


def test_an_invitation_keeps_the_towns_name_as_written(
    client_for, lhay, admin_a, django_capture_on_commit_callbacks
) -> None:
    admin = client_for(lhay, admin_a)
    message = _sent_once(
        django_capture_on_commit_callbacks,
        lambda: admin.post(
            "/administration/equipe/", {"email": "nouvelle@example.org", "role": "moderator"}
        ),
    )
    assert message.subject == f"Invitation à rejoindre l’équipe du site de {NAME}"
    assert f"modérateur·rice du site de {NAME}, sur Placette." in message.body


def test_a_message_to_a_towns_admins_keeps_what_people_typed(
    lhay, admin_a, django_capture_on_commit_callbacks
) -> None:
    message = _sent_once(
        django_capture_on_commit_callbacks,
        lambda: contact_existing_town(
            town=lhay,
            name="Jeanne d'Arc <adjointe>",
            email="jeanne@example.org",
            message="Bonjour, l'équipe <municipale> & moi voulons rejoindre le site.",
        ),
    )
    assert NAME in message.subject
    assert "Jeanne d'Arc <adjointe> (jeanne@example.org)" in message.body
    assert NAME in message.body
    assert "l'équipe <municipale> & moi" in message.body


def test_allauth_emails_keep_the_towns_name_as_written(
    client_for, lhay, django_capture_on_commit_callbacks
) -> None:
    form = {
        "display_name": "Martine",
        "email": "martine@example.org",
        "password1": TEST_PASSWORD,
        "password2": TEST_PASSWORD,
        "charter": "on",
    }
    message = _sent_once(
        django_capture_on_commit_callbacks,
        lambda: client_for(lhay).post("/accounts/signup/", form),
    )
    assert message.subject == "[Placette] Confirmez votre adresse e-mail"
    assert f"Bonjour, c'est {NAME} !" in message.body
    assert f"Merci d'utiliser {NAME} !" in message.body
