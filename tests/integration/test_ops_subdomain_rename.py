"""Renaming a town's subdomain from the console: served on the new name, the old one
redirects, the schema keeps its name, refusals in French with nothing changed."""

from __future__ import annotations

import pytest
from django.test import Client

from onboarding.services import slug_problem
from tenants.addresses import host_url
from tenants.models import AuditEntry, Collectivite, Domain
from tests.helpers import body
from tests.ops_domains_support import REASON, action_url, confirm, french, state

pytestmark = pytest.mark.django_db

NEW = "villeneuve"
NEW_HOST = "villeneuve.localhost"


def _rename(console: Client, town: Collectivite, slug: str = NEW):
    return confirm(console, action_url("subdomain_rename", town.pk), slug=slug)


def test_renaming_asks_for_confirmation_first(console: Client, town_a) -> None:
    before = state()
    response = console.post(
        action_url("subdomain_rename", town_a.pk), {"slug": NEW, "reason": REASON}
    )
    assert response.status_code == 200
    assert NEW_HOST in body(response)
    assert state() == before


def test_renaming_changes_the_slug_but_not_the_schema(console: Client, town_a) -> None:
    assert _rename(console, town_a).status_code == 302
    town = Collectivite.objects.get(pk=town_a.pk)
    assert (town.slug, town.schema_name, town.primary_host) == (
        NEW,
        town_a.schema_name,
        NEW_HOST,
    )


def test_renaming_writes_one_audit_entry(console: Client, town_a) -> None:
    _rename(console, town_a)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.before, entry.after, entry.reason) == (
        "collectivite.subdomain_rename",
        {"slug": town_a.slug},
        {"slug": NEW},
        REASON,
    )


def test_the_town_is_served_on_the_new_name(console: Client, town_a) -> None:
    _rename(console, town_a)
    response = Client(HTTP_HOST=NEW_HOST).get("/")
    assert response.status_code == 200
    assert town_a.name in body(response)


def test_the_old_name_redirects_to_the_new_one(console: Client, town_a) -> None:
    _rename(console, town_a)
    old = Client(HTTP_HOST=town_a.primary_host).get("/aide/?page=2")
    assert (old.status_code, old["Location"]) == (301, host_url(NEW_HOST, "/aide/?page=2"))


def test_town_b_is_untouched(console: Client, town_a, town_b) -> None:
    b_domains = list(Domain.objects.filter(tenant=town_b).values_list("domain", "is_primary"))
    _rename(console, town_a)
    assert Collectivite.objects.get(pk=town_b.pk).slug == town_b.slug
    assert list(Domain.objects.filter(tenant=town_b).values_list("domain", "is_primary")) == (
        b_domains
    )
    assert Client(HTTP_HOST=town_b.primary_host).get("/").status_code == 200


def test_a_custom_primary_stays_primary(console: Client, town_a) -> None:
    custom = Domain.objects.create(domain="entraide.ville-a.fr", tenant=town_a, is_primary=True)
    _rename(console, town_a)
    assert Domain.objects.get(tenant=town_a, is_primary=True).pk == custom.pk
    new = Client(HTTP_HOST=NEW_HOST).get("/")
    assert (new.status_code, new["Location"]) == (301, host_url(custom.domain, "/"))


def test_renaming_back_to_a_former_name_reuses_it(console: Client, town_a) -> None:
    _rename(console, town_a)
    assert _rename(console, town_a, town_a.slug).status_code == 302
    assert Domain.objects.get(tenant=town_a, is_primary=True).domain == town_a.primary_host
    assert Domain.objects.filter(tenant=town_a).count() == 2
    assert Client(HTTP_HOST=NEW_HOST).get("/").status_code == 301


def test_the_new_name_is_lower_cased_and_trimmed(console: Client, town_a) -> None:
    _rename(console, town_a, "  Villeneuve ")
    assert Collectivite.objects.get(pk=town_a.pk).slug == NEW


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("www", "This address is reserved. Please choose another one."),
        ("town-b", "This address is already used by another collectivité."),
        (
            "ville_neuve",
            "Use only lowercase letters without accents, digits and hyphens (63 at most), "
            "not starting or ending with a hyphen.",
        ),
        ("xn--vlle-9ra", "An address cannot have two hyphens after its first two characters."),
        ("town-a", "This is already the site's subdomain."),
    ],
)
def test_a_refused_name_changes_nothing(
    console: Client, town_a, town_b, slug: str, message: str
) -> None:
    before = state()
    response = _rename(console, town_a, slug)
    assert response.status_code == 400
    assert french(message) in body(response)
    assert f'value="{slug}"' in body(response)
    assert Collectivite.objects.get(pk=town_a.pk).slug == town_a.slug
    assert state() == before


def test_a_former_name_of_town_b_is_refused(console: Client, town_a, town_b) -> None:
    Domain.objects.create(domain="ancien-b.localhost", tenant=town_b, is_primary=False)
    before = state()
    response = _rename(console, town_a, "ancien-b")
    assert response.status_code == 400
    assert french("This address is already used by another collectivité.") in body(response)
    assert state() == before


def test_a_rename_needs_a_reason(console: Client, town_a) -> None:
    before = state()
    response = console.post(
        action_url("subdomain_rename", town_a.pk), {"slug": NEW, "reason": "", "confirmed": "1"}
    )
    assert response.status_code == 400
    assert state() == before


def test_sign_up_refuses_a_former_subdomain_too(town_b) -> None:
    Domain.objects.create(domain="ancien-b.localhost", tenant=town_b, is_primary=False)
    assert slug_problem("ancien-b") == french(
        "This address is already used by another collectivité."
    )


def test_the_tls_question_knows_the_new_name_and_still_the_old_one(
    console: Client, town_a, public_client: Client, django_capture_on_commit_callbacks
) -> None:
    old = town_a.primary_host
    with django_capture_on_commit_callbacks(execute=True):
        _rename(console, town_a)
    for host in (NEW_HOST, old):
        assert public_client.get("/tls/ask", {"domain": host}).status_code == 200
