"""Sending a town's admin a new invitation from the console: a one-use welcome link by email,
valid 48 hours, bound to the town's schema; refused when every admin has a password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from tenants.models import AuditEntry
from tests.helpers import body
from tests.ops_domains_support import REASON, action_url, confirm, french

pytestmark = pytest.mark.django_db

EMAIL = "maire@town-a.example"


@pytest.fixture
def waiting_admin(town_a) -> User:
    """Town A's first admin, made at sign-up, who never chose a password."""
    with schema_context(town_a.schema_name):
        return create_member(email=EMAIL, display_name="Martine", role=User.Role.ADMIN)


def _send(console: Client, town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return confirm(console, action_url("admin_invitation_resend", town.pk))


def _link(town) -> str:
    (message,) = mail.outbox
    assert message.to == [EMAIL]
    found = re.search(
        rf"http://{re.escape(town.primary_host)}(:\d+)?(/bienvenue/[^/\s]+/)", str(message.body)
    )
    assert found, message.body
    return found.group(2)


def test_sending_asks_for_confirmation_first(console: Client, town_a, waiting_admin) -> None:
    response = console.post(action_url("admin_invitation_resend", town_a.pk), {"reason": REASON})
    assert response.status_code == 200
    assert not AuditEntry.objects.exists()


def test_the_admin_gets_a_link_that_logs_them_in_to_choose_a_password(
    console: Client, town_a, waiting_admin, django_capture_on_commit_callbacks
) -> None:
    assert _send(console, town_a, django_capture_on_commit_callbacks).status_code == 302
    landing = Client(HTTP_HOST=town_a.primary_host).get(_link(town_a))
    assert (landing.status_code, landing["Location"]) == (302, "/bienvenue/mot-de-passe/")


def test_sending_writes_one_audit_entry(
    console: Client, town_a, waiting_admin, django_capture_on_commit_callbacks
) -> None:
    _send(console, town_a, django_capture_on_commit_callbacks)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.collectivite_id, entry.actor_schema, entry.after) == (
        "collectivite.admin_invitation_resend",
        town_a.pk,
        "public",
        {"email": EMAIL},
    )


def test_the_link_works_once(
    console: Client, town_a, waiting_admin, django_capture_on_commit_callbacks
) -> None:
    _send(console, town_a, django_capture_on_commit_callbacks)
    link = _link(town_a)
    Client(HTTP_HOST=town_a.primary_host).get(link)
    assert Client(HTTP_HOST=town_a.primary_host).get(link).status_code == 410


def test_the_link_still_works_after_a_day(
    console: Client, town_a, waiting_admin, django_capture_on_commit_callbacks, time_machine
) -> None:
    _send(console, town_a, django_capture_on_commit_callbacks)
    time_machine.move_to(timezone.now() + timedelta(hours=47))
    assert Client(HTTP_HOST=town_a.primary_host).get(_link(town_a)).status_code == 302


def test_the_link_expires_after_48_hours(
    console: Client, town_a, waiting_admin, django_capture_on_commit_callbacks, time_machine
) -> None:
    _send(console, town_a, django_capture_on_commit_callbacks)
    time_machine.move_to(timezone.now() + timedelta(hours=49))
    assert Client(HTTP_HOST=town_a.primary_host).get(_link(town_a)).status_code == 410


def test_the_link_opens_nothing_on_town_b(
    console: Client, town_a, town_b, waiting_admin, django_capture_on_commit_callbacks
) -> None:
    _send(console, town_a, django_capture_on_commit_callbacks)
    assert Client(HTTP_HOST=town_b.primary_host).get(_link(town_a)).status_code == 404


def test_no_email_before_the_transaction_commits(console: Client, town_a, waiting_admin) -> None:
    confirm(console, action_url("admin_invitation_resend", town_a.pk))
    assert mail.outbox == []


def test_an_admin_with_a_password_is_refused(
    console: Client, town_a, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        create_member(
            email=EMAIL, display_name="Martine", role=User.Role.ADMIN, password=TEST_PASSWORD
        )
    response = _send(console, town_a, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert french(
        "Every admin of this site already chose a password. They log in with it; "
        "if they lost it, “Forgot your password?” on the login page sends them a new one."
    ) in body(response)
    assert (mail.outbox, AuditEntry.objects.count()) == ([], 0)


def test_a_town_without_an_admin_is_refused(
    console: Client, town_b, django_capture_on_commit_callbacks
) -> None:
    response = _send(console, town_b, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert french(
        "This site has no active admin: there is nobody to send an invitation to."
    ) in body(response)
    assert (mail.outbox, AuditEntry.objects.count()) == ([], 0)


def test_the_sign_up_s_own_welcome_link_still_lasts_15_minutes(
    town_a, waiting_admin, time_machine
) -> None:
    from accounts import tokens
    from onboarding.services import WELCOME_PURPOSE

    token = tokens.sign(
        {"user": waiting_admin.pk}, purpose=WELCOME_PURPOSE, schema=town_a.schema_name
    )
    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    assert Client(HTTP_HOST=town_a.primary_host).get(f"/bienvenue/{token}/").status_code == 410
