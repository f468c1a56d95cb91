"""The unsubscribe link: a GET asks, a POST (also a mail client's one-click POST) unsubscribes."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from notifications import emails
from notifications.models import Preference
from tests.audit_support import clear_journal, only_entry
from tests.helpers import body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notification_kinds")]


@pytest.fixture
def path(town_a, resident_a) -> str:
    clear_journal(town_a)
    with schema_context(town_a.schema_name):
        link = emails.unsubscribe_url(emails.Town.current(), resident_a, ["tests.new_post"])
    return "/" + link.split("/", 3)[3]


def _rows(town, user) -> dict[str, str]:
    with schema_context(town.schema_name):
        return dict(Preference.objects.filter(user=user).values_list("kind", "frequency"))


def test_a_get_asks_and_changes_nothing(client_for, town_a, resident_a, path) -> None:
    response = client_for(town_a).get(path)
    assert response.status_code == 200
    page = body(response)
    assert "Ne plus recevoir ces e-mails ?" in page and "New posts" in page
    assert f'<form method="post" action="{path}">' in page
    assert client_for(town_a).head(path).status_code == 200
    assert _rows(town_a, resident_a) == {}


def test_the_button_unsubscribes(client_for, town_a, resident_a, path) -> None:
    client = client_for(town_a)
    client.get(path)
    response = client.post(path)
    assert response.status_code == 200
    assert "C’est fait : vous ne recevrez plus ces e-mails" in body(response)
    assert _rows(town_a, resident_a) == {"tests.new_post": "never"}
    entry = only_entry(town_a, "account.email_preferences")
    assert (entry.before, entry.after) == ({"tests.new_post": "daily"}, {"tests.new_post": "never"})


def test_the_one_click_post_needs_no_csrf_cookie(town_a, resident_a, path) -> None:
    """RFC 8058: the mail provider POSTs `List-Unsubscribe=One-Click`, with no cookie."""
    provider = Client(HTTP_HOST=town_a.primary_host, enforce_csrf_checks=True)
    response = provider.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert _rows(town_a, resident_a) == {"tests.new_post": "never"}


def test_unsubscribing_twice_writes_once(client_for, town_a, resident_a, path) -> None:
    client = client_for(town_a)
    client.post(path)
    assert client.post(path).status_code == 200
    assert _rows(town_a, resident_a) == {"tests.new_post": "never"}
    only_entry(town_a, "account.email_preferences")  # one entry, not two


def test_other_methods_are_refused(client_for, town_a, resident_a, path) -> None:
    assert client_for(town_a).put(path).status_code == 405
    assert _rows(town_a, resident_a) == {}


def test_a_closed_account_link_finds_nothing(client_for, town_a, resident_a, path) -> None:
    with schema_context(town_a.schema_name):
        resident_a.is_active = False
        resident_a.save(update_fields=["is_active"])
    assert client_for(town_a).post(path).status_code == 404
