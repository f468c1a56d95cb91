"""A town's own domain is that town's only: B's people, cookies and claims get nothing of A."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.services import create_ops_staff
from tenants.domains import DomainError, add_custom_domain, set_primary_domain
from tenants.models import AuditEntry, Collectivite, Domain
from tests.helpers import body, probe

pytestmark = pytest.mark.django_db

HOST = "entraide.ville-a.fr"
ADMIN_PAGE = "/administration/"


@pytest.fixture
def a_has_its_domain(town_a: Collectivite) -> Domain:
    with schema_context("public"):
        staff = create_ops_staff(
            email="olga@placette.test", display_name="Olga", password=TEST_PASSWORD
        )
    return add_custom_domain(staff, town_a, HOST, reason="Demande du maire")


def _on_a_s_domain(client: Client) -> Client:
    client.defaults["HTTP_HOST"] = HOST
    return client


def test_a_s_admin_reaches_a_s_admin_pages_on_its_domain(
    client_for, town_a, admin_a, a_has_its_domain
):
    response = _on_a_s_domain(client_for(town_a, admin_a)).get(ADMIN_PAGE)
    assert response.status_code == 200
    assert town_a.name in body(response)


def test_b_s_people_get_nothing_of_a_on_a_s_domain(
    client_for, town_a, town_b, resident_a, admin_b, resident_b, a_has_its_domain
) -> None:
    visitors = [
        _on_a_s_domain(client_for(town_b, admin_b)),  # B's admin cookie on A's domain
        _on_a_s_domain(client_for(town_b, resident_b)),
        _on_a_s_domain(client_for(town_a, resident_a)),  # A's resident is no admin
        _on_a_s_domain(Client()),  # a guest
    ]
    for client in visitors:
        probe(client, ADMIN_PAGE)


def test_a_s_domain_never_serves_town_b(client_for, town_a, town_b, a_has_its_domain) -> None:
    page = body(Client(HTTP_HOST=HOST).get("/"))
    assert town_a.name in page
    assert town_b.name not in page


def test_b_cannot_take_a_s_domain_nor_make_it_its_primary(town_a, town_b, a_has_its_domain) -> None:
    with schema_context("public"):
        staff = create_ops_staff(email="igor@placette.test", display_name="Igor", password="x")
    journal = list(AuditEntry.objects.values_list("pk", flat=True))
    with pytest.raises(DomainError):
        add_custom_domain(staff, town_b, HOST, reason="Erreur de saisie")
    with pytest.raises(DomainError):
        set_primary_domain(staff, town_b, a_has_its_domain, reason="Erreur de saisie")
    assert Domain.objects.get(domain=HOST).tenant_id == town_a.pk
    assert not Domain.objects.get(domain=HOST).is_primary
    assert Domain.objects.get(tenant=town_b, is_primary=True).domain == town_b.primary_host
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == journal


def test_the_tls_question_is_not_answered_on_a_town_s_hosts(town_a, a_has_its_domain) -> None:
    for host in (HOST, town_a.primary_host):
        response = Client(HTTP_HOST=host).get("/tls/ask", {"domain": HOST})
        assert response.status_code == 404
        assert body(response) != "ok\n"
    assert (
        Client(HTTP_HOST=settings.ROOT_DOMAIN).get("/tls/ask", {"domain": HOST}).status_code == 200
    )
