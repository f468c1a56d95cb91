"""Town A's data export: no visitor, resident, moderator, nor town B's admin reaches its page,
asks for an archive or downloads one, even with its link."""

from __future__ import annotations

import pytest

from tenants.models import DataExport
from tests.helpers import probe
from tests.integration.test_town_data_export import PAGE, made  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def intruders(client_for, town_a, resident_a, moderator_a):
    return {
        "visitor": client_for(town_a),
        "resident": client_for(town_a, resident_a),
        "moderator": client_for(town_a, moderator_a),
    }


@pytest.mark.parametrize("who", ["visitor", "resident", "moderator"])
def test_nobody_but_town_as_admins_reaches_the_export(intruders, made, town_a, who) -> None:  # noqa: F811
    client = intruders[who]
    probe(client, PAGE)
    probe(client, PAGE, method="post")
    probe(client, f"{PAGE}{made.pk}/")
    assert DataExport.objects.filter(collectivite=town_a).count() == 1  # none asked


def test_town_bs_admin_on_its_own_site_cannot_download_town_as_archive(
    client_for,
    town_b,
    admin_b,
    made,  # noqa: F811
) -> None:
    assert client_for(town_b, admin_b).get(f"{PAGE}{made.pk}/").status_code == 404
