"""`make run`'s demo: Chavenay and its intercommunalité, each with its people, safe to run again."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import BillingAccount
from tenants.models import Collectivite
from tests.directory_sample import load_directory_sample
from townsite.management.commands.seed_demo import PEOPLE
from townsite.models import Neighbourhood

pytestmark = pytest.mark.django_db


def test_the_demo_makes_two_towns_with_their_people_once() -> None:
    load_directory_sample()
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # safe to run again

    towns = Collectivite.objects.filter(slug__in=["chavenay", "gally-mauldre"]).order_by("slug")
    assert [(town.slug, town.kind) for town in towns] == [
        ("chavenay", Collectivite.Kind.COMMUNE),
        ("gally-mauldre", Collectivite.Kind.INTERCOMMUNALITE),
    ]
    assert BillingAccount.objects.filter(collectivite__in=towns).count() == 2
    assert {town.verified_via for town in towns} == {Collectivite.Verification.STAFF}
    for town in towns:
        with schema_context(town.schema_name):
            emails = sorted(User.objects.values_list("email", flat=True))
            assert emails == sorted(f"{local}@{town.slug}.example" for local, _n, _r in PEOPLE)
    with schema_context(towns[1].schema_name):
        names = sorted(Neighbourhood.objects.values_list("name", flat=True))
        assert names == ["Chavenay", "Feucherolles", "Maule"]
