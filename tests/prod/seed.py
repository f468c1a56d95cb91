"""The app's side of `make prod-check`'s seeding, run with production's settings.

    python tests/prod/seed.py request COUNT    asks COUNT trials (onboarding's service, as the
                                               form does); prints them as JSON
    python tests/prod/seed.py residents N      N residents in every town made by prod-check, the
                                               first one named after its town; prints them

The trials are confirmed by prod_check.py over HTTPS, with the link the Celery worker mailed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django_tenants.utils import schema_context  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services import create_member  # noqa: E402
from onboarding import services  # noqa: E402
from onboarding.claims import Signer  # noqa: E402
from onboarding.directory import find  # noqa: E402
from onboarding.legal import PROCESSING_AGREEMENT, TERMS  # noqa: E402
from tenants.models import Collectivite, Commune  # noqa: E402

SIGNER_DOMAIN = "prodcheck.test"
PASSWORD = "prod-check-résident-2026"  # noqa: S105  (loopback only)


def request(count: int) -> list[dict[str, str]]:
    used = set(Collectivite.objects.values_list("official_code", flat=True))
    asked = {signup.official_code for signup in services.SignupRequest.objects.all()}
    communes = [
        c
        for c in Commune.objects.filter(population__gte=500).order_by("insee_code")[: count * 3]
        if c.insee_code not in used and c.insee_code not in asked
    ][:count]
    requested = []
    for commune in communes:
        entry = find("commune", commune.insee_code)
        if entry is None:
            continue
        slug = services.proposed_slug(entry)
        email = f"maire@{slug}.{SIGNER_DOMAIN}"
        services.request_trial(
            entry=entry,
            slug=slug,
            signer=Signer(
                name="Maire", role="maire", role_other="", email=email, phone="0102030405"
            ),
            terms_version=TERMS.current.id,
            dpa_version=PROCESSING_AGREEMENT.current.id,
        )
        requested.append({"slug": slug, "name": entry.name, "email": email})
    return requested


def residents(count: int) -> list[dict[str, str]]:
    """`count` residents in each town opened by prod-check's sign-ups."""
    opened = services.SignupRequest.objects.filter(
        email__endswith=f".{SIGNER_DOMAIN}", collectivite__isnull=False
    ).values("collectivite_id")
    towns = Collectivite.objects.filter(pk__in=opened)
    people = []
    for town in towns.order_by("slug"):
        with schema_context(town.schema_name):
            for n in range(count):
                email = f"habitant{n}@{town.slug}.{SIGNER_DOMAIN}"
                name = f"Habitant {n} de {town.slug}"
                if not User.objects.filter(email=email).exists():
                    create_member(email=email, display_name=name, password=PASSWORD)
                people.append({"slug": town.slug, "email": email, "name": name})
    return people


def main() -> int:
    command, number = sys.argv[1], int(sys.argv[2])
    result = request(number) if command == "request" else residents(number)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
