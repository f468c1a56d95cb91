"""Custom domains: added to a town by our staff, served as that town, made primary, audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_ops_staff
from tenants.domains import DomainError, add_custom_domain, set_primary_domain
from tenants.models import AuditEntry, Collectivite, Domain
from tests.helpers import body

pytestmark = pytest.mark.django_db

HOST = "entraide.ville-a.fr"


@pytest.fixture
def staff(db: None) -> User:
    with schema_context("public"):
        return create_ops_staff(
            email="olga@placette.test", display_name="Olga", password=TEST_PASSWORD
        )


def _add(staff: User, town: Collectivite, host: str = HOST, reason: str = "Demande du maire"):
    return add_custom_domain(staff, town, host, reason=reason)


def _town_state() -> tuple[list[tuple[str, int, bool]], int]:
    domains = list(
        Domain.objects.order_by("domain").values_list("domain", "tenant_id", "is_primary")
    )
    return domains, AuditEntry.objects.count()


# --- Adding a domain ------------------------------------------------------------------------


def test_adding_a_domain_serves_the_town_there_as_a_secondary_address(staff, town_a) -> None:
    domain = _add(staff, town_a)
    assert (domain.domain, domain.tenant_id, domain.is_primary) == (HOST, town_a.pk, False)
    assert Domain.objects.get(tenant=town_a, is_primary=True).domain == town_a.primary_host


def test_adding_a_domain_writes_one_audit_entry(staff, town_a) -> None:
    _add(staff, town_a)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.collectivite_id, entry.reason) == (
        "collectivite.custom_domain_add",
        town_a.pk,
        "Demande du maire",
    )
    assert (entry.actor_schema, entry.actor_id) == ("public", staff.pk)
    assert (entry.before, entry.after) == ({}, {"host": HOST})


def test_an_address_is_stored_lower_case_without_its_final_dot(staff, town_a) -> None:
    assert _add(staff, town_a, "  Entraide.Ville-A.FR. ").domain == HOST


def test_an_internationalised_address_is_stored_in_punycode(staff, town_a) -> None:
    assert _add(staff, town_a, "entraide.évreux.fr").domain == "entraide.xn--vreux-9ra.fr"


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("", "Indiquez l’adresse"),
        ("https://entraide.ville-a.fr", "sans http://"),
        ("entraide.ville-a.fr/aide", "sans http://"),
        ("entraide.ville-a.fr:8443", "sans http://"),
        ("entraide", "n’est pas une adresse web valable"),
        ("entr_aide.ville-a.fr", "n’est pas une adresse web valable"),
        ("-entraide.ville-a.fr", "n’est pas une adresse web valable"),
        ("192.168.1.10", "n’est pas une adresse web valable"),
        ("a" * 64 + ".fr", "n’est pas une adresse web valable"),
        ("mairie.local", "réservée"),
        ("entraide.example.com", "réservée"),
        ("site.internal", "réservée"),
    ],
)
def test_an_invalid_or_reserved_address_is_refused_and_nothing_changes(
    staff, town_a, host: str, message: str
) -> None:
    before = _town_state()
    with pytest.raises(DomainError, match=message):
        _add(staff, town_a, host)
    assert _town_state() == before


@pytest.mark.parametrize(
    "host", [settings.ROOT_DOMAIN, f"www.{settings.ROOT_DOMAIN}", f"autre.{settings.ROOT_DOMAIN}"]
)
def test_the_root_domain_and_its_subdomains_are_refused(staff, town_a, host: str) -> None:
    before = _town_state()
    with pytest.raises(DomainError, match="sont celles de Placette"):
        _add(staff, town_a, host)
    assert _town_state() == before


def test_an_empty_reason_is_refused_and_nothing_changes(staff, town_a) -> None:
    before = _town_state()
    with pytest.raises(DomainError, match="Indiquez pourquoi"):
        _add(staff, town_a, reason="   ")
    assert _town_state() == before


def test_an_address_of_the_town_itself_is_refused(staff, town_a) -> None:
    _add(staff, town_a)
    before = _town_state()
    with pytest.raises(DomainError, match="déjà une adresse de ce site"):
        _add(staff, town_a, HOST.upper())
    assert _town_state() == before


def test_town_b_cannot_claim_town_a_s_domain(staff, town_a, town_b) -> None:
    _add(staff, town_a)
    before = _town_state()
    with pytest.raises(DomainError, match="déjà utilisée par un autre site"):
        _add(staff, town_b, HOST)
    assert _town_state() == before
    assert Domain.objects.get(domain=HOST).tenant_id == town_a.pk


# --- Serving a custom domain ----------------------------------------------------------------


def test_a_custom_domain_serves_the_town_s_home(staff, town_a, town_b) -> None:
    _add(staff, town_a)
    response = Client(HTTP_HOST=HOST).get("/")
    assert response.status_code == 200
    assert town_a.name in body(response)
    assert town_b.name not in body(response)


def test_an_address_nobody_registered_is_still_refused() -> None:
    assert Client(HTTP_HOST="inconnu.ville-z.fr").get("/").status_code == 400


# --- The primary domain ---------------------------------------------------------------------


def test_set_primary_moves_the_flag_and_writes_one_audit_entry(staff, town_a) -> None:
    domain = _add(staff, town_a)
    set_primary_domain(staff, town_a, domain, reason="Nouvelle adresse officielle")
    primaries = list(Domain.objects.filter(tenant=town_a, is_primary=True).values_list("domain"))
    assert primaries == [(HOST,)]
    entry = AuditEntry.objects.get(action="collectivite.primary_domain_change")
    assert (entry.before, entry.after, entry.reason) == (
        {"primary_domain": town_a.primary_host},
        {"primary_domain": HOST},
        "Nouvelle adresse officielle",
    )


def test_set_primary_on_the_primary_changes_nothing(staff, town_a) -> None:
    current = Domain.objects.get(tenant=town_a, is_primary=True)
    before = _town_state()
    set_primary_domain(staff, town_a, current, reason="Rien à changer")
    assert _town_state() == before


def test_set_primary_needs_a_reason(staff, town_a) -> None:
    domain = _add(staff, town_a)
    before = _town_state()
    with pytest.raises(DomainError, match="Indiquez pourquoi"):
        set_primary_domain(staff, town_a, domain, reason="")
    assert _town_state() == before


def test_town_b_cannot_make_town_a_s_domain_its_primary(staff, town_a, town_b) -> None:
    domain = _add(staff, town_a)
    before = _town_state()
    with pytest.raises(DomainError, match="n’est pas une adresse de ce site"):
        set_primary_domain(staff, town_b, domain, reason="Tentative")
    assert _town_state() == before


def _made_primary(staff: User, town: Collectivite) -> Any:
    return set_primary_domain(staff, town, _add(staff, town), reason="Nouvelle adresse")


def test_the_old_subdomain_redirects_pages_to_the_new_primary(staff, town_a) -> None:
    _made_primary(staff, town_a)
    response = Client(HTTP_HOST=town_a.primary_host).get("/entraide/?page=2")
    assert response.status_code == 301
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    assert response["Location"] == f"{settings.SITE_SCHEME}://{HOST}{port}/entraide/?page=2"


def test_the_new_primary_serves_the_town_s_home(staff, town_a) -> None:
    _made_primary(staff, town_a)
    response = Client(HTTP_HOST=HOST).get("/")
    assert response.status_code == 200
    assert town_a.name in body(response)


def test_the_old_subdomain_still_serves_the_api_and_posted_forms(staff, town_a) -> None:
    _made_primary(staff, town_a)
    old = Client(HTTP_HOST=town_a.primary_host)
    assert old.get("/api/v1/posts/").status_code != 301
    assert old.post("/accounts/login/", {"login": "x@y.fr", "password": "z"}).status_code != 301


def test_before_any_change_the_subdomain_does_not_redirect(staff, town_a) -> None:
    _add(staff, town_a)
    assert Client(HTTP_HOST=town_a.primary_host).get("/").status_code == 200


def test_a_former_custom_primary_redirects_to_the_next_one(staff, town_a) -> None:
    first = _made_primary(staff, town_a)
    second = _add(staff, town_a, "participation.ville-a.fr")
    set_primary_domain(staff, town_a, second, reason="Autre adresse")
    response = Client(HTTP_HOST=first.domain).get("/")
    assert response.status_code == 301
    assert response["Location"].startswith(f"{settings.SITE_SCHEME}://participation.ville-a.fr")


def test_a_request_for_our_ip_address_is_refused_without_a_lookup(
    django_assert_num_queries,
) -> None:
    with django_assert_num_queries(0):
        assert Client(HTTP_HOST="203.0.113.7").get("/").status_code == 400


def test_a_host_map_warmed_before_the_change_redirects_once_it_commits(
    staff, town_a, django_capture_on_commit_callbacks
) -> None:
    old = Client(HTTP_HOST=town_a.primary_host)
    assert old.get("/").status_code == 200  # the subdomain is now in the host map, as primary
    with django_capture_on_commit_callbacks(execute=True):
        _made_primary(staff, town_a)
    assert old.get("/").status_code == 301
