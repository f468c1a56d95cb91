"""`make run`'s demo: Chavenay and its intercommunalité, each with its people, safe to run again."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import BillingAccount
from mutual_aid.demo_texts import NEIGHBOURS
from tenants.models import AuditEntry, Collectivite
from tests.directory_sample import load_directory_sample
from townsite.management.commands.seed_demo import LOOKS, PEOPLE
from townsite.models import Neighbourhood, TownProfile

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
            people = [local for local, _n, _r in PEOPLE] + [local for local, _n in NEIGHBOURS]
            assert emails == sorted(f"{local}@{town.slug}.example" for local in people)
    with schema_context(towns[1].schema_name):
        names = sorted(Neighbourhood.objects.values_list("name", flat=True))
        assert names == ["Chavenay", "Feucherolles", "Maule"]


def test_the_demo_towns_are_set_up_like_live_sites(client_for) -> None:
    load_directory_sample()
    call_command("seed_demo", stdout=io.StringIO())
    entries = AuditEntry.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert AuditEntry.objects.count() == entries  # run again, nothing changes

    for slug in ("chavenay", "gally-mauldre"):
        town = Collectivite.objects.get(slug=slug)
        with schema_context(town.schema_name):
            admin = User.objects.get(email=f"admin@{slug}.example")
            profile = TownProfile.load()
            assert profile.setup_completed_at is not None
            assert profile.logo and profile.primary_colour == LOOKS[slug].colour
        dashboard = client_for(town, admin).get("/administration/").content.decode()
        assert "7 étapes sur 7 faites." in dashboard
        assert "à faire" not in dashboard

        home = client_for(town).get("/").content.decode()
        assert "Bienvenue sur le site " in home
        assert re.search(r'<img src="/logo/\?v=\w+"', home), home
        assert f"--color-primary: {LOOKS[slug].colour}" in home
        logo = client_for(town).get("/logo/")
        assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    with schema_context(Collectivite.objects.get(slug="chavenay").schema_name):
        assert list(Neighbourhood.objects.values_list("name", flat=True)) == [
            "Le Village",
            "La Plaine",
            "Les Hameaux",
        ]
