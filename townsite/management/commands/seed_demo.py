"""Seed the demo: Chavenay and its intercommunalité, each with an admin, a moderator, residents."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import create_member, create_ops_staff
from billing.services import start_trial
from onboarding import directory
from onboarding.services import proposed_slug
from tenants.models import Collectivite, Commune
from tenants.services import provision_collectivite, set_verified

DEMO_PASSWORD = "placette-demo"  # noqa: S105  (printed by make run; demo data only)
CHAVENAY_INSEE = "78152"
OPS_EMAIL = "ops@placette.example"

PEOPLE = [
    ("admin", "Claire Martin (mairie)", User.Role.ADMIN),
    ("moderation", "Karim Benali", User.Role.MODERATOR),
    ("camille", "Camille", User.Role.RESIDENT),
    ("jean", "Jean D.", User.Role.RESIDENT),
    ("lucie", "Lucie Moreau", User.Role.RESIDENT),
]


class Command(BaseCommand):
    help = "Create the demo collectivités and accounts (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            chavenay = Commune.objects.select_related("epci").get(insee_code=CHAVENAY_INSEE)
        except Commune.DoesNotExist:
            raise CommandError(
                "Load the reference data first: manage.py load_reference_data"
            ) from None
        if chavenay.epci is None:
            raise CommandError("Chavenay has no EPCI in the reference data.")
        epci = chavenay.epci
        epci_entry = directory.find(Collectivite.Kind.INTERCOMMUNALITE, epci.siren)
        assert epci_entry is not None

        with schema_context("public"):
            if not User.objects.filter(email=OPS_EMAIL).exists():
                create_ops_staff(
                    email=OPS_EMAIL, display_name="Équipe Placette", password=DEMO_PASSWORD
                )
        towns = [
            self._town(
                name=chavenay.name,
                kind=Collectivite.Kind.COMMUNE,
                official_code=chavenay.insee_code,
                siren=chavenay.siren,
                population=chavenay.population,
                slug="chavenay",
            ),
            self._town(
                name=epci.name,
                kind=Collectivite.Kind.INTERCOMMUNALITE,
                official_code=epci.siren,
                siren=epci.siren,
                population=epci.population,
                slug=proposed_slug(epci_entry),  # as the sign-up proposes it
            ),
        ]
        for town in towns:
            start_trial(town)
            # The demo shows a live site, as its town hall runs it: checked.
            set_verified(town, Collectivite.Verification.STAFF)
            with schema_context(town.schema_name):
                for local_part, display_name, role in PEOPLE:
                    email = f"{local_part}@{town.slug}.example"
                    if not User.objects.filter(email=email).exists():
                        create_member(
                            email=email,
                            display_name=display_name,
                            role=role,
                            password=DEMO_PASSWORD,
                        )
            self.stdout.write(f"Demo town ready: {town.name} ({town.primary_host})")

    def _town(self, *, slug: str, **fields: Any) -> Collectivite:
        existing = Collectivite.objects.filter(slug=slug).first()
        if existing:
            return existing
        return provision_collectivite(slug=slug, **fields)
