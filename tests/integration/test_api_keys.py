"""The resident's API keys page: a key is made, shown once, revoked; each in the audit log."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from accounts.api import tokens
from accounts.models import ApiToken
from accounts.tokens import token_hash
from tests.api_support import API, call
from tests.audit_support import clear_journal, entries, only_entry
from tests.helpers import body

pytestmark = pytest.mark.django_db

PAGE = "/mon-compte/api/"


def fresh_key(page: str) -> str:
    found = re.search(r'data-testid="fresh-key" value="([^"]+)"|value="(plc_[^"]+)"', page)
    assert found, "the new key is not on the page"
    return found.group(1) or found.group(2)


def test_the_account_page_leads_to_the_keys(client_for, town_a, resident_a) -> None:
    page = body(client_for(town_a, resident_a).get("/mon-compte/"))
    assert f'href="{PAGE}"' in page
    assert "Gérer mes clés d’accès à l’API" in page


def test_a_key_is_shown_once_works_and_is_kept_as_a_hash(client_for, town_a, resident_a) -> None:
    clear_journal(town_a)
    client = client_for(town_a, resident_a)
    made = client.post(PAGE, {"name": "Mon tableur"})
    assert made.status_code == 200
    assert made["Cache-Control"].startswith("max-age=0")
    key = fresh_key(body(made))
    with schema_context(town_a.schema_name):
        token = ApiToken.objects.get(user=resident_a)
        assert token.name == "Mon tableur"
        assert token.token_hash == token_hash(key, purpose=tokens.PURPOSE)
    entry = only_entry(town_a, "account.api_token_created")
    assert entry.actor_id == resident_a.pk and entry.target_id == str(token.pk)
    assert entry.after == {"name": "Mon tableur"}
    # Never again: the page lists the key by its name only.
    again = body(client.get(PAGE))
    assert key not in again and "Mon tableur" in again
    assert call(client_for(town_a), "get", API + "categories/", key=key).status_code == 200


def test_a_revoked_key_stops_working(client_for, town_a, resident_a) -> None:
    client = client_for(town_a, resident_a)
    key = fresh_key(body(client.post(PAGE, {"name": "Téléphone"})))
    with schema_context(town_a.schema_name):
        token = ApiToken.objects.get(user=resident_a)
    clear_journal(town_a)
    response = client.post(f"{PAGE}{token.pk}/revoquer/")
    assert response.status_code == 302 and response["Location"] == PAGE
    assert "La clé « Téléphone » est révoquée : elle ne marche plus." in body(client.get(PAGE))
    entry = only_entry(town_a, "account.api_token_revoked")
    assert entry.before == {"name": "Téléphone"}
    assert call(client_for(town_a), "get", API + "categories/", key=key).status_code == 401
    # Revoking it twice changes nothing and writes nothing more.
    client.post(f"{PAGE}{token.pk}/revoquer/")
    assert [e.action for e in entries(town_a)] == ["account.api_token_revoked"]


def test_a_key_needs_a_name(client_for, town_a, resident_a) -> None:
    response = client_for(town_a, resident_a).post(PAGE, {"name": "  "})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in body(response)
    with schema_context(town_a.schema_name):
        assert not ApiToken.objects.exists()


def test_a_name_too_long_is_refused_and_kept(client_for, town_a, resident_a) -> None:
    response = client_for(town_a, resident_a).post(PAGE, {"name": "x" * 81})
    assert response.status_code == 400
    assert "x" * 81 in body(response)
    with schema_context(town_a.schema_name):
        assert not ApiToken.objects.exists()


def test_a_resident_keeps_at_most_ten_live_keys(client_for, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        for number in range(tokens.MAX_ACTIVE):
            tokens.create_token(resident_a, name=f"Clé {number}")
    response = client_for(town_a, resident_a).post(PAGE, {"name": "Une de trop"})
    assert response.status_code == 400
    assert "Vous avez déjà 10 clés." in body(response)
    with schema_context(town_a.schema_name):
        assert ApiToken.objects.count() == tokens.MAX_ACTIVE


def test_guests_are_sent_to_log_in(client_for, town_a) -> None:
    response = client_for(town_a).get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
