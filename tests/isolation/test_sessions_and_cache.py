"""Town B, or a guest of B, gets nothing of town A: not by cookie, not through the cache."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from tests.helpers import probe

pytestmark = pytest.mark.django_db


def _session_cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_session_from_town_a_is_worthless_on_town_b(client_for, town_a, town_b, resident_a):
    logged_in = client_for(town_a, resident_a)
    assert resident_a.display_name in logged_in.get("/").content.decode()

    stolen = client_for(town_b)
    stolen.cookies[settings.SESSION_COOKIE_NAME] = _session_cookie(logged_in)
    response = stolen.get("/")
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert resident_a.display_name not in response.content.decode()
    probe(stolen, "/accounts/email/", leaked=[resident_a.email])


def test_a_session_from_town_a_is_worthless_on_the_root_domain(client_for, town_a, resident_a):
    logged_in = client_for(town_a, resident_a)
    stolen = client_for(None)
    stolen.cookies[settings.SESSION_COOKIE_NAME] = _session_cookie(logged_in)
    response = stolen.get("/")
    assert not response.wsgi_request.user.is_authenticated
    probe(stolen, "/accounts/email/", leaked=[resident_a.email])


def test_a_session_naming_another_schema_is_refused(client_for, town_a, town_b, resident_a):
    """Even a session row copied into B's schema under the same key does not log anyone in."""
    logged_in = client_for(town_a, resident_a)
    key = _session_cookie(logged_in)
    from django.contrib.sessions.models import Session

    with schema_context(town_a.schema_name):
        row = Session.objects.get(session_key=key)
    with schema_context(town_b.schema_name):
        Session.objects.create(
            session_key=key, session_data=row.session_data, expire_date=row.expire_date
        )
    stolen = client_for(town_b)
    stolen.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not stolen.get("/").wsgi_request.user.is_authenticated


def test_session_and_csrf_cookies_are_host_only(client_for, town_a, resident_a):
    """Without a Domain attribute a browser sends a town's cookies back to that host only."""
    client = client_for(town_a)
    login_page = client.get("/accounts/login/")
    logged_in = client.post(
        "/accounts/login/", {"login": resident_a.email, "password": TEST_PASSWORD}
    )
    assert logged_in.status_code == 302
    csrf = login_page.cookies[settings.CSRF_COOKIE_NAME]
    session = logged_in.cookies[settings.SESSION_COOKIE_NAME]
    assert csrf.value and session.value
    assert (csrf["domain"], session["domain"]) == ("", "")


def test_the_cache_keeps_each_town_apart(town_a, town_b):
    with schema_context(town_a.schema_name):
        cache.set("welcome-banner", "Secret de A")
    with schema_context(town_b.schema_name):
        assert cache.get("welcome-banner") is None
        cache.set("welcome-banner", "Texte de B")
    with schema_context(town_a.schema_name):
        assert cache.get("welcome-banner") == "Secret de A"
    with schema_context("public"):
        assert cache.get("welcome-banner") is None


def test_town_b_has_no_page_for_town_a_users(client_for, town_a, town_b, resident_a, resident_b):
    """B's user on A's host is not logged in; A's user does not exist in B's schema."""
    client = client_for(town_b, resident_b)
    client.defaults["HTTP_HOST"] = town_a.primary_host
    response = client.get("/")
    assert not response.wsgi_request.user.is_authenticated
    with schema_context(town_b.schema_name):
        from accounts.models import User

        assert not User.objects.filter(email=resident_a.email).exists()
