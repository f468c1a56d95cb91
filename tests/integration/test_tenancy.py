"""Hosts pick the site: root domain, a town's subdomain, an unknown one, a closed one."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from tenants import directory, schema
from tenants.models import Collectivite, Domain
from tenants.services import provision_collectivite, set_status
from townsite.models import TownProfile

pytestmark = pytest.mark.django_db


def resolved(host: str) -> Collectivite:
    tenant = directory.resolve_host(host)
    assert tenant is not None, f"{host} resolved to no tenant"
    return tenant


def test_root_domain_serves_the_public_site(public_client: Client) -> None:
    response = public_client.get("/")
    assert response.status_code == 200
    assert "Placette" in response.content.decode()
    assert response.wsgi_request.tenant.schema_name == "public"


def test_a_town_subdomain_serves_that_town(client_for, town_a: Collectivite) -> None:
    response = client_for(town_a).get("/")
    assert response.status_code == 200
    assert town_a.name in response.content.decode()
    assert response.wsgi_request.tenant.schema_name == town_a.schema_name


def test_an_unknown_subdomain_gets_the_friendly_french_404(client_for) -> None:
    response = Client(HTTP_HOST="inconnue.localhost").get("/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "n’est pas encore sur Placette" in body
    assert "essai gratuit" in body.lower()


def test_a_foreign_host_is_refused() -> None:
    assert Client(HTTP_HOST="evil.example.com").get("/").status_code == 400


@pytest.mark.parametrize(
    ("status", "http_status", "message"),
    [
        (Collectivite.Status.SUSPENDED, 503, "temporairement indisponible"),
        (Collectivite.Status.DEACTIVATED, 410, "Ce site est fermé"),
        (Collectivite.Status.PROVISIONING, 503, "en cours de préparation"),
    ],
)
def test_a_town_that_is_not_ready_serves_only_a_status_page(
    client_for, town_a: Collectivite, resident_a, status: str, http_status: int, message: str
) -> None:
    client = client_for(town_a, resident_a)
    set_status(town_a, status)
    for path in ("/", "/accounts/email/", "/accounts/login/"):
        response = client.get(path)
        assert response.status_code == http_status
        body = response.content.decode()
        assert message in body
        assert resident_a.email not in body
        assert resident_a.display_name not in body


def test_reopening_a_town_serves_it_again_at_once(client_for, town_a: Collectivite) -> None:
    set_status(town_a, Collectivite.Status.SUSPENDED)
    assert client_for(town_a).get("/").status_code == 503
    set_status(town_a, Collectivite.Status.READY)
    assert client_for(town_a).get("/").status_code == 200


def test_resolution_is_served_from_memory_once_warm(
    town_a: Collectivite, django_assert_num_queries
) -> None:
    schema.activate_public()
    assert resolved(town_a.primary_host).pk == town_a.pk
    assert directory.resolve_host("inconnue.localhost") is None
    with django_assert_num_queries(0):
        for _ in range(20):
            assert resolved(town_a.primary_host).pk == town_a.pk
            assert directory.resolve_host("inconnue.localhost") is None


def test_a_new_domain_is_resolved_without_waiting(town_a: Collectivite) -> None:
    schema.activate_public()
    assert directory.resolve_host("mairie-a.localhost") is None
    Domain.objects.create(domain="mairie-a.localhost", tenant=town_a, is_primary=False)
    assert resolved("mairie-a.localhost").pk == town_a.pk


def test_resolution_survives_other_processes_caches(town_a: Collectivite) -> None:
    """A change made elsewhere reaches this process through the Redis generation number."""
    schema.activate_public()
    assert resolved(town_a.primary_host).status == Collectivite.Status.READY
    # Another process suspends the town: it bumps the shared generation, not our memory.
    Collectivite.objects.filter(pk=town_a.pk).update(status=Collectivite.Status.SUSPENDED)
    directory._local._checked_at = float("-inf")  # as if the check delay had passed
    cache.set(directory.GENERATION_KEY, "another-process", timeout=None)
    assert resolved(town_a.primary_host).status == Collectivite.Status.SUSPENDED


def test_the_tenant_given_to_a_request_is_a_copy(town_a: Collectivite) -> None:
    schema.activate_public()
    first = resolved(town_a.primary_host)
    first.name = "Changed by a view"
    assert resolved(town_a.primary_host).name == town_a.name


def test_a_cached_tenant_from_an_older_model_is_not_reused(
    town_a: Collectivite, django_assert_num_queries
) -> None:
    """A pickle made before a new column would cost a query per request: it is never read."""
    schema.activate_public()
    old = Collectivite.objects.defer("site_access").get(pk=town_a.pk)
    generation = cache.get(directory.GENERATION_KEY) or "g"
    cache.set(directory.GENERATION_KEY, generation, timeout=None)
    cache.set(f"tenancy:{generation}:oldshape:host:{town_a.primary_host}", old)
    directory.forget_local_hosts()
    resolved(town_a.primary_host)  # reads the database once, caches the full instance
    with django_assert_num_queries(0):
        assert resolved(town_a.primary_host).site_access == Collectivite.Access.FULL


set_up_calls: list[tuple[str, str]] = []


def record_set_up(town: Collectivite) -> None:
    """Stands for townsite's set-up of a new town (settings.TENANT_NEW_TOWN_SETUP)."""
    set_up_calls.append((schema.current_schema(), town.slug))


def test_a_new_town_is_set_up_by_what_the_settings_name(settings) -> None:
    """tenants/ imports no app above it: it runs what settings name, in the new schema."""
    settings.TENANT_NEW_TOWN_SETUP = f"{__name__}.record_set_up"
    set_up_calls.clear()
    town = provision_collectivite(
        name="Essai-sur-Hook", kind=Collectivite.Kind.COMMUNE, official_code="99003", slug="hook"
    )
    assert set_up_calls == [(town.schema_name, "hook")]
    with schema_context(town.schema_name):
        assert TownProfile.objects.count() == 1  # the template's defaults, cloned
