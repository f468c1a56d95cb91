"""What a new town's site starts with; tenants/ runs these by the names settings give them."""

from __future__ import annotations

from tenants.models import Collectivite
from townsite.models import TownProfile
from townsite.setup import queries, services


def seed_template() -> None:
    """What every town starts with (run in the template schema, cloned with it)."""
    TownProfile.load()


def set_up_new_town(town: Collectivite) -> None:
    """What this town starts with: an intercommunalité's member communes become the places its
    residents choose from (run in the town's new schema, in the transaction creating it)."""
    epci = queries.epci_of(town)
    if epci is not None:
        services.add_member_communes(epci)
