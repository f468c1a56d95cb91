"""The TLS proxy's ask endpoint: yes for our towns' hosts, no for any other, root domain only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.services import create_ops_staff
from onboarding import tls
from tenants import directory, services
from tenants.domains import add_custom_domain
from tenants.models import Collectivite
from tests.redis_process import RedisProcess

pytestmark = pytest.mark.django_db

HOST = "entraide.ville-a.fr"


@pytest.fixture
def with_custom_domain(town_a: Collectivite) -> Collectivite:
    with schema_context("public"):
        staff = create_ops_staff(
            email="olga@placette.test", display_name="Olga", password=TEST_PASSWORD
        )
    add_custom_domain(staff, town_a, HOST, reason="Demande du maire")
    return town_a


def ask(domain: str, client: Client | None = None) -> int:
    client = client or Client(HTTP_HOST=settings.ROOT_DOMAIN)
    return client.get("/tls/ask", {"domain": domain}).status_code


def test_yes_for_a_town_s_custom_domain(with_custom_domain) -> None:
    assert ask(HOST) == 200


def test_yes_for_a_custom_domain_typed_in_capitals_with_a_final_dot(with_custom_domain) -> None:
    assert ask("Entraide.Ville-A.fr.") == 200


def test_yes_for_a_town_s_subdomain(town_a) -> None:
    assert ask(town_a.primary_host) == 200


def test_yes_for_the_root_domain_itself() -> None:
    assert ask(settings.ROOT_DOMAIN) == 200


def test_yes_for_a_suspended_town_whose_status_page_must_still_be_served(town_a) -> None:
    services.set_status(town_a, Collectivite.Status.SUSPENDED)
    assert ask(town_a.primary_host) == 200


@pytest.mark.parametrize(
    "domain", ["inconnu.ville-z.fr", f"personne.{settings.ROOT_DOMAIN}", "", "a/b", "x" * 300]
)
def test_no_for_any_other_host(with_custom_domain, domain: str) -> None:
    assert ask(domain) == 404


def test_a_remembered_no_turns_to_yes_once_the_domain_is_added(town_a) -> None:
    """A "no" is remembered by the host map, but adding the domain makes it a "yes" at once."""
    assert ask(HOST) == 404
    with schema_context("public"):
        staff = create_ops_staff(email="olga@placette.test", display_name="Olga", password="x")
    add_custom_domain(staff, town_a, HOST, reason="Demande du maire")
    assert ask(HOST) == 200


def test_not_reachable_on_a_town_s_hosts(with_custom_domain, town_a) -> None:
    assert ask(HOST, Client(HTTP_HOST=town_a.primary_host)) == 404
    assert ask(HOST, Client(HTTP_HOST=HOST)) == 404


def test_only_get_is_answered() -> None:
    assert Client(HTTP_HOST=settings.ROOT_DOMAIN).post("/tls/ask?domain=x.fr").status_code == 405


def test_one_address_asking_in_a_loop_is_refused_past_the_limit(town_a, monkeypatch) -> None:
    monkeypatch.setattr(tls, "ASKS_PER_MINUTE", 3)
    answers = [ask(town_a.primary_host) for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_the_limit_is_counted_per_client_address(town_a, monkeypatch, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(tls, "ASKS_PER_MINUTE", 1)
    first = Client(HTTP_HOST=settings.ROOT_DOMAIN, HTTP_X_FORWARDED_FOR="203.0.113.1")
    second = Client(HTTP_HOST=settings.ROOT_DOMAIN, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert [ask(town_a.primary_host, first), ask(town_a.primary_host, first)] == [200, 429]
    assert ask(town_a.primary_host, second) == 200


@pytest.fixture
def redis_stopped(settings: Any) -> Iterator[None]:
    """Both cache aliases on a Redis of this test's own, stopped."""
    server = RedisProcess()
    server.start()
    settings.CACHES = {
        alias: {**config, "LOCATION": server.url()} for alias, config in settings.CACHES.items()
    }
    settings.TENANT_CACHE_CHECK_SECONDS = 0
    directory.forget_local_hosts()
    server.stop()
    yield
    server.remove()
    directory.forget_local_hosts()


def test_without_redis_the_answers_come_from_the_database(
    with_custom_domain, redis_stopped, monkeypatch
) -> None:
    monkeypatch.setattr(tls, "ASKS_PER_MINUTE", 1)  # nothing is counted: the limit fails open
    assert [ask(HOST), ask(HOST), ask("inconnu.ville-z.fr")] == [200, 200, 404]
