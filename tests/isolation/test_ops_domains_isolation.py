"""The console's domain actions on town A never touch town B: its addresses stay its own, and a
rename of A cannot take B's subdomain, current or former."""

from __future__ import annotations

import pytest
from django.test import Client

from tenants.models import Collectivite, Domain
from tests.ops_domains_support import action_url, confirm

pytestmark = pytest.mark.django_db


def _b_state(town_b) -> tuple[str, list[tuple[str, bool, bool]]]:
    slug = Collectivite.objects.get(pk=town_b.pk).slug
    rows = Domain.objects.filter(tenant=town_b).order_by("domain")
    return slug, list(rows.values_list("domain", "is_primary", "redirects_when_secondary"))


def test_every_action_on_a_leaves_b_as_it_was(console: Client, town_a, town_b) -> None:
    before = _b_state(town_b)
    confirm(console, action_url("domain_add", town_a.pk), host="entraide.ville-a.fr")
    added = Domain.objects.get(domain="entraide.ville-a.fr")
    confirm(console, action_url("domain_make_primary", town_a.pk, added.pk))
    confirm(console, action_url("subdomain_rename", town_a.pk), slug="villeneuve")
    assert _b_state(town_b) == before


@pytest.mark.parametrize("slug", ["town-b", "ancien-b"])
def test_a_rename_of_a_cannot_take_b_s_name_nor_its_former_one(
    console: Client, town_a, town_b, slug: str
) -> None:
    Domain.objects.create(domain="ancien-b.localhost", tenant=town_b, is_primary=False)
    before = _b_state(town_b)
    response = confirm(console, action_url("subdomain_rename", town_a.pk), slug=slug)
    assert response.status_code == 400
    assert Collectivite.objects.get(pk=town_a.pk).slug == town_a.slug
    assert _b_state(town_b) == before


def test_b_s_domains_cannot_be_acted_on_through_a_s_page(console: Client, town_a, town_b) -> None:
    b_domain = Domain.objects.get(domain=town_b.primary_host)
    before = _b_state(town_b)
    for name in ("domain_make_primary", "domain_remove"):
        assert confirm(console, action_url(name, town_a.pk, b_domain.pk)).status_code == 404
    assert _b_state(town_b) == before
