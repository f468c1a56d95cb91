"""Town A's idea box dashboard and its CSV files: only A's staff read them; a guest, a
resident of A, B's staff and residents get nothing of A's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from participation.ideas.factories import IdeaFactory
from tenants.models import Collectivite
from tests.helpers import probe

pytestmark = pytest.mark.django_db

DASHBOARD = "/administration/idees/tableau-de-bord/"
SECRET_TITLE = "Idée-secrète-de-Villeneuve"
FILES = ("delai-de-reponse", "idees-en-attente", "par-statut", "par-categorie")


def pages() -> list[tuple[str, str, dict[str, str]]]:
    return [("get", DASHBOARD, {}), *(("get", f"{DASHBOARD}{name}.csv", {}) for name in FILES)]


def test_only_a_s_staff_read_a_s_dashboard(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    town_b: Collectivite,
    resident_a: User,
    moderator_a: User,
    resident_b: User,
    moderator_b: User,
    admin_b: User,
) -> None:
    with schema_context(town_a.schema_name):
        IdeaFactory.create(title=SECRET_TITLE)
    own = client_for(town_a, moderator_a)
    assert SECRET_TITLE in own.get(f"{DASHBOARD}idees-en-attente.csv").content.decode()
    assert SECRET_TITLE in own.get(DASHBOARD).content.decode()  # what the others must not see
    visitors = [client_for(town_a), client_for(town_a, resident_a), client_for(None)]
    for intruder in (resident_b, moderator_b, admin_b):
        stolen = client_for(town_b, intruder)
        stolen.defaults["HTTP_HOST"] = town_a.primary_host  # B's cookie on A's site
        visitors.append(stolen)
    for client in visitors:
        for method, path, data in pages():
            probe(client, path, method=method, data=data, leaked=[SECRET_TITLE])


def test_b_s_staff_see_only_b_on_their_own_dashboard(
    client_for: Callable[..., Client], town_a: Collectivite, town_b: Collectivite, admin_b: User
) -> None:
    with schema_context(town_a.schema_name):
        IdeaFactory.create(title=SECRET_TITLE)
    admin = client_for(town_b, admin_b)
    for path in (DASHBOARD, *(f"{DASHBOARD}{name}.csv" for name in FILES)):
        response = admin.get(path)
        assert response.status_code == 200
        assert SECRET_TITLE not in response.content.decode()
