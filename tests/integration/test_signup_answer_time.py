"""Signing up with an address that already has an account takes the same work as a new one."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from tests import hashers
from tests.hashers import CountingHasher

pytestmark = pytest.mark.django_db


def _sign_up(client, email: str, capture):
    form = {
        "display_name": "Martine",
        "email": email,
        "password1": TEST_PASSWORD,
        "password2": TEST_PASSWORD,
        "charter": "on",
    }
    CountingHasher.calls = 0
    with capture(execute=True):
        response = client.post("/accounts/signup/", form)
    return response, CountingHasher.calls


def test_a_known_address_costs_one_password_hash_like_a_new_one(
    settings, client_for, town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    hashers.use(settings, CountingHasher)
    new, for_new = _sign_up(
        client_for(town_a), "nouvelle@example.org", django_capture_on_commit_callbacks
    )
    known, for_known = _sign_up(
        client_for(town_a), resident_a.email, django_capture_on_commit_callbacks
    )
    assert (for_new, for_known) == (1, 1)
    # The same answer, too: nothing tells the address has an account but the email sent to it.
    assert new.status_code == known.status_code == 302
    assert new["Location"] == known["Location"] == "/accounts/confirm-email/"
    assert [message.to for message in mail.outbox] == [["nouvelle@example.org"], [resident_a.email]]
    with schema_context(town_a.schema_name):
        assert User.objects.filter(email=resident_a.email).count() == 1
        assert User.objects.get(email=resident_a.email).display_name == resident_a.display_name
