"""Both cache aliases key by schema: town B never reads town A's counters or entries."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django_tenants.utils import schema_context

from tenants.cache import STRICT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("alias", ["default", STRICT])
def test_each_cache_alias_keeps_each_town_apart(town_a, town_b, alias) -> None:
    with schema_context(town_a.schema_name):
        caches[alias].set("counter", 7)
    with schema_context(town_b.schema_name):
        assert caches[alias].get("counter") is None
    with schema_context("public"):
        assert caches[alias].get("counter") is None
    with schema_context(town_a.schema_name):
        assert caches[alias].get("counter") == 7
