"""Every URL of the ops console, tried by everyone who is not our staff with TOTP: none gets in.

The URLs come from the site itself (`ops_site.get_urls()`), so a page added later joins the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from ops.site import ops_site
from tenants.models import Collectivite, Domain
from tests.helpers import body
from tests.ops_support import TENANTS_LIST, with_totp

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOTP_SETUP = "/accounts/2fa/totp/activate/"
PUBLIC_URLS = settings.PUBLIC_SCHEMA_URLCONF


def named_patterns(
    patterns: list[URLPattern | URLResolver],
) -> Iterator[tuple[str, list[str]]]:
    """(URL name, its parameters) of every named pattern, in included lists too."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from named_patterns(pattern.url_patterns)
        elif pattern.name:
            parameters = getattr(pattern.pattern, "converters", None) or dict(
                pattern.pattern.regex.groupindex
            )
            yield pattern.name, sorted(parameters)


def console_paths(town: Collectivite) -> list[str]:
    """Every console URL with sample arguments (town A's for an object), and the catch-all."""
    samples: dict[str, Any] = {
        "app_label": "tenants",
        "object_id": str(town.pk),
        "pk": town.pk,
        "domain_pk": Domain.objects.filter(tenant=town).values_list("pk", flat=True).first(),
        "export_pk": 1,
        "content_type_id": ContentType.objects.get_for_model(Collectivite).pk,
    }
    paths = [
        reverse(f"ops:{name}", PUBLIC_URLS, kwargs={key: samples[key] for key in parameters})
        for name, parameters in named_patterns(ops_site.get_urls())
    ]
    return [*paths, "/ops/nothing-here/"]


def test_the_list_covers_the_site_and_the_tenants_pages(town_a) -> None:
    paths = console_paths(town_a)
    assert {
        "/ops/",
        "/ops/login/",
        "/ops/logout/",
        "/ops/password_change/",
        "/ops/tenants/",
        TENANTS_LIST,
        f"{TENANTS_LIST}add/",
        f"{TENANTS_LIST}{town_a.pk}/change/",
        f"{TENANTS_LIST}{town_a.pk}/delete/",
        f"{TENANTS_LIST}{town_a.pk}/history/",
    } <= set(paths)


def assert_kept_out(response: Any, town: Collectivite, path: str) -> None:
    """Refused, not found, or sent to sign in (or to set up TOTP): never the page itself."""
    status = response.status_code
    if status in (301, 302):
        assert response["Location"].startswith((LOGIN, TOTP_SETUP)), (
            f"{path}: sent to {response['Location']}"
        )
    else:
        assert status in (403, 404, 405), f"{path}: answered {status}"
    assert f"/ops/tenants/collectivite/{town.pk}/" not in body(response), path


@pytest.fixture
def public_account(db: None) -> User:
    """An account of the public schema that is not staff (no such account should exist)."""
    with schema_context("public"):
        return User.objects.create_user(
            email="someone@placette.example", password=TEST_PASSWORD, display_name="Someone"
        )


@pytest.fixture
def intruders(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    admin_a: User,
    ops_staff: User,
    public_account: User,
) -> dict[str, tuple[Client, str]]:
    """Each intruder's client and the host it asks (a town's session tried on both hosts)."""
    inactive = with_totp(public_account)
    with schema_context("public"):
        User.objects.filter(pk=inactive.pk).update(is_staff=True, is_active=False)
    root, town_host = settings.ROOT_DOMAIN, town_a.primary_host
    return {
        "visitor": (client_for(None), root),
        "resident on the root domain": (client_for(town_a, resident_a), root),
        "resident on the town's site": (client_for(town_a, resident_a), town_host),
        "town admin on the root domain": (client_for(town_a, admin_a), root),
        "town admin on the town's site": (client_for(town_a, admin_a), town_host),
        "staff without TOTP": (client_for(None, ops_staff), root),
        "inactive staff with TOTP": (client_for(None, inactive), root),
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_but_staff_with_totp_reaches_any_console_url(
    intruders: dict[str, tuple[Client, str]], town_a: Collectivite, method: str
) -> None:
    paths = console_paths(town_a)
    for who, (client, host) in intruders.items():
        for path in paths:
            response = getattr(client, method)(path, HTTP_HOST=host)
            assert_kept_out(response, town_a, f"{who}: {method.upper()} {path}")
    assert Collectivite.objects.filter(pk=town_a.pk, name=town_a.name).exists()


def test_a_visitor_is_sent_to_sign_in(public_client: Client) -> None:
    response = public_client.get(TENANTS_LIST)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={TENANTS_LIST}"


def test_staff_without_totp_are_sent_to_set_it_up(client_for, ops_staff) -> None:
    response = client_for(None, ops_staff).get(TENANTS_LIST)
    assert response.status_code == 302
    assert response["Location"] == TOTP_SETUP


def test_staff_with_totp_get_the_tenants_list(console: Client, town_a) -> None:
    response = console.get(TENANTS_LIST)
    assert response.status_code == 200
    assert f"/ops/collectivites/{town_a.pk}/" in body(response)
    assert "Console Placette" in body(response)  # the site's own French header


def test_the_console_login_page_sends_staff_with_totp_to_the_console(console: Client) -> None:
    response = console.get("/ops/login/")
    assert response.status_code == 302
    assert response["Location"] == "/ops/"


def test_the_console_is_not_served_on_a_town_host(
    client_for: Callable[..., Client], console_staff: User, town_a: Collectivite
) -> None:
    client = client_for(None, console_staff)
    assert client.get(TENANTS_LIST, HTTP_HOST=town_a.primary_host).status_code == 404
