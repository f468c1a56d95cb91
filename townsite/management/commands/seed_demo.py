"""Seed the demo: Chavenay and its intercommunalité, each with an admin, a moderator, residents,
and a finished set-up (logo, colour, welcome, neighbourhoods, contact, modules, charter), then
each module's demo data (settings.DEMO_SEEDERS)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context
from PIL import Image, ImageDraw

from accounts.models import User
from accounts.services import create_member, create_ops_staff
from billing.services import start_trial
from onboarding import directory
from onboarding.services import proposed_slug
from tenants.models import Collectivite, Commune
from tenants.services import provision_collectivite, set_verified
from townsite.defaults import DEFAULT_CHARTER
from townsite.models import Neighbourhood, TownProfile
from townsite.setup import services
from townsite.setup.contrast import to_rgb
from townsite.setup.logos import CheckedLogo

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


@dataclass(frozen=True)
class DemoLook:
    colour: str  # dark enough for white text (the set-up refuses lighter ones)
    welcome: str
    neighbourhoods: tuple[str, ...]  # a commune's; an intercommunalité has its member communes


LOOKS = {
    "chavenay": DemoLook(
        colour="#2f6a3b",
        welcome=(
            "Bienvenue sur le site des habitants de {name} !\n\n"
            "Ici, on s’entraide entre voisins, on donne son avis sur les projets de la commune "
            "et on propose ses idées. Inscrivez-vous en deux minutes, ou passez à la mairie : "
            "nous créons votre compte avec vous."
        ),
        neighbourhoods=("Le Village", "La Plaine", "Les Hameaux"),
    ),
    "gally-mauldre": DemoLook(
        colour="#7a2e4d",
        welcome=(
            "Bienvenue sur le site de {name} !\n\n"
            "Les habitants de nos communes s’entraident, répondent aux consultations et "
            "proposent leurs idées pour le territoire."
        ),
        neighbourhoods=(),
    ),
}


def demo_logo(colour: str) -> CheckedLogo:
    """A simple logo drawn with Pillow: a white house on a disc of the town's colour."""
    size = 256
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size - 1, size - 1), fill=(*to_rgb(colour), 255))
    white = (255, 255, 255, 255)
    draw.polygon([(64, 124), (128, 64), (192, 124)], fill=white)  # the roof
    draw.rectangle((82, 124, 174, 192), fill=white)  # the walls
    draw.rectangle((116, 150, 140, 192), fill=(*to_rgb(colour), 255))  # the door
    out = io.BytesIO()
    image.save(out, format="PNG")
    return CheckedLogo(data=out.getvalue(), format="PNG")


def set_up_demo_site(town: Collectivite) -> None:
    """The demo town's site as a finished one looks, through the set-up services (by=None: the
    system). Safe to run again: a service that changes nothing writes nothing."""
    look = LOOKS[town.slug]
    profile = TownProfile.load()
    services.save_look(
        by=None,
        primary_colour=look.colour,
        logo=None if profile.logo else demo_logo(look.colour),
    )
    services.save_welcome_text(look.welcome.format(name=town.name), by=None)
    for name in look.neighbourhoods:
        if not Neighbourhood.objects.filter(name=name).exists():
            services.add_neighbourhood(name, by=None)
    services.save_modules(by=None, mutual_aid=True, consultations=True, ideas=True)
    services.save_contact(
        by=None,
        address=f"1 place de la Mairie\n{town.name}",
        phone="01 23 45 67 89",
        email=f"mairie@{town.slug}.example",
        website=f"https://www.{town.slug}.example",
        opening_hours=(
            "Du lundi au vendredi, de 9 h à 12 h et de 14 h à 17 h.\nLe samedi, de 9 h à 12 h."
        ),
    )
    services.save_charter(profile.charter or DEFAULT_CHARTER, by=None)
    services.complete_setup(by=None)


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
                set_up_demo_site(town)
                for seeder in settings.DEMO_SEEDERS:  # each module's own demo data
                    import_string(seeder)(town)
            self.stdout.write(f"Demo town ready: {town.name} ({town.primary_host})")

    def _town(self, *, slug: str, **fields: Any) -> Collectivite:
        existing = Collectivite.objects.filter(slug=slug).first()
        if existing:
            return existing
        return provision_collectivite(slug=slug, **fields)
