"""The console's domain actions: add a custom domain, make one primary, remove one."""

from __future__ import annotations

import pytest
from django.test import Client

from tenants.addresses import host_url
from tenants.models import AuditEntry, Domain
from tests.helpers import body
from tests.ops_domains_support import REASON, action_url, confirm, french, state

pytestmark = pytest.mark.django_db

HOST = "entraide.ville-a.fr"


@pytest.fixture
def a_custom(town_a) -> Domain:
    return Domain.objects.create(
        domain=HOST, tenant=town_a, is_primary=False, redirects_when_secondary=False
    )


def test_the_tenant_page_lists_every_address_with_the_primary_marked(
    console: Client, town_a, a_custom
) -> None:
    page = body(console.get(action_url("tenant", town_a.pk)))
    assert f'data-domain="{town_a.primary_host}" data-primary' in page
    assert f'data-domain="{HOST}">' in page
    assert action_url("domain_make_primary", town_a.pk, a_custom.pk) in page
    assert action_url("domain_remove", town_a.pk, a_custom.pk) in page


def test_the_subdomain_offers_no_removal(console: Client, town_a) -> None:
    subdomain = Domain.objects.get(domain=town_a.primary_host)
    page = body(console.get(action_url("tenant", town_a.pk)))
    assert action_url("domain_remove", town_a.pk, subdomain.pk) not in page


# --- Adding -----------------------------------------------------------------------------------


def test_adding_asks_for_confirmation_first(console: Client, town_a) -> None:
    before = state()
    response = console.post(action_url("domain_add", town_a.pk), {"host": HOST, "reason": REASON})
    assert response.status_code == 200
    assert 'name="confirmed" value="1"' in body(response)
    assert state() == before


def test_adding_a_custom_domain_serves_the_town_there(console: Client, town_a) -> None:
    response = confirm(console, action_url("domain_add", town_a.pk), host=HOST)
    assert response.status_code == 302
    assert Domain.objects.get(domain=HOST).tenant_id == town_a.pk
    assert AuditEntry.objects.get().action == "collectivite.custom_domain_add"
    assert Client(HTTP_HOST=HOST).get("/").status_code == 200


def test_adding_without_a_reason_changes_nothing(console: Client, town_a) -> None:
    before = state()
    response = console.post(
        action_url("domain_add", town_a.pk), {"host": HOST, "reason": " ", "confirmed": "1"}
    )
    assert response.status_code == 400
    assert state() == before


OURS = "Addresses ending in %(root)s are Placette's own: change the site's subdomain instead."


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("localhost", OURS),
        ("autre.localhost", OURS),
        ("entraide.test", "This address is reserved and cannot be used on the internet."),
        (
            "https://entraide.ville-a.fr",
            "Type the address alone, without http://, a slash or a port: entraide.ville.fr.",
        ),
        ("entr_aide.ville-a.fr", "This is not a valid web address."),
    ],
)
def test_adding_a_forbidden_address_is_refused_in_french(
    console: Client, town_a, host: str, message: str
) -> None:
    before = state()
    response = confirm(console, action_url("domain_add", town_a.pk), host=host)
    assert response.status_code == 400
    values = {"root": "localhost"} if "%(root)s" in message else {}
    assert french(message, **values) in body(response)
    assert f'value="{host}"' in body(response)  # what was typed is kept
    assert state() == before


def test_adding_town_b_s_domain_to_town_a_is_refused(console: Client, town_a, town_b) -> None:
    Domain.objects.create(domain=HOST, tenant=town_b, is_primary=False)
    before = state()
    response = confirm(console, action_url("domain_add", town_a.pk), host=HOST)
    assert response.status_code == 400
    assert french("This address is already used by another site.") in body(response)
    assert state() == before


# --- Making one primary -----------------------------------------------------------------------


def test_making_a_custom_domain_primary_redirects_the_subdomain_to_it(
    console: Client, town_a, a_custom
) -> None:
    response = confirm(console, action_url("domain_make_primary", town_a.pk, a_custom.pk))
    assert response.status_code == 302
    assert Domain.objects.get(tenant=town_a, is_primary=True).domain == HOST
    assert AuditEntry.objects.get().action == "collectivite.primary_domain_change"
    old = Client(HTTP_HOST=town_a.primary_host).get("/aide/?x=1")
    assert (old.status_code, old["Location"]) == (301, host_url(HOST, "/aide/?x=1"))


def test_making_primary_needs_the_confirmation(console: Client, town_a, a_custom) -> None:
    before = state()
    url = action_url("domain_make_primary", town_a.pk, a_custom.pk)
    assert console.post(url, {"reason": REASON}).status_code == 200
    assert state() == before


def test_town_b_s_domain_is_not_found_under_town_a(console: Client, town_a, town_b) -> None:
    b_domain = Domain.objects.get(domain=town_b.primary_host)
    before = state()
    for name in ("domain_make_primary", "domain_remove"):
        assert confirm(console, action_url(name, town_a.pk, b_domain.pk)).status_code == 404
    assert state() == before


# --- Removing ---------------------------------------------------------------------------------


def test_removing_a_custom_domain_stops_serving_it(
    console: Client, town_a, a_custom, django_capture_on_commit_callbacks
) -> None:
    Client(HTTP_HOST=HOST).get("/")  # the host map knows it
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(console, action_url("domain_remove", town_a.pk, a_custom.pk))
    assert response.status_code == 302
    assert not Domain.objects.filter(domain=HOST).exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.before) == ("collectivite.custom_domain_remove", {"host": HOST})
    assert Client(HTTP_HOST=HOST).get("/").status_code == 400


def test_the_primary_address_cannot_be_removed(console: Client, town_a, a_custom) -> None:
    Domain.objects.filter(pk=a_custom.pk).update(is_primary=True)
    Domain.objects.filter(domain=town_a.primary_host).update(is_primary=False)
    before = state()
    response = confirm(console, action_url("domain_remove", town_a.pk, a_custom.pk))
    assert response.status_code == 400
    assert french(
        "This is the site's primary address: make another one primary before removing it."
    ) in body(response)
    assert state() == before


def test_the_town_s_subdomain_cannot_be_removed(console: Client, town_a) -> None:
    subdomain = Domain.objects.get(domain=town_a.primary_host)
    Domain.objects.filter(pk=subdomain.pk).update(is_primary=False)
    before = state()
    response = confirm(console, action_url("domain_remove", town_a.pk, subdomain.pk))
    assert response.status_code == 400
    assert french(
        "The site's own subdomains cannot be removed: they keep old links working."
    ) in body(response)
    assert state() == before
