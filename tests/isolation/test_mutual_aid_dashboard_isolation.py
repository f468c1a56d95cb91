"""Town A's mutual aid dashboard and its CSV files: only A's staff read them, only A's admins
set the goal; a guest, a resident of A, B's staff and residents get nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from mutual_aid.factories import PostFactory
from mutual_aid.models import MutualAidSettings, Post
from tenants.models import AuditEntry
from tests.helpers import probe

pytestmark = pytest.mark.django_db

DASHBOARD = "/administration/entraide/tableau-de-bord/"
SECRET_TITLE = "Demande-secrète-de-Villeneuve"
FILES = ("residents-actifs", "par-mois", "par-categorie", "premiere-reponse")


def pages() -> list[tuple[str, str, dict]]:
    return [
        ("get", DASHBOARD, {}),
        ("post", DASHBOARD, {"goal": "1"}),
        ("get", f"{DASHBOARD}demandes-sans-reponse.csv", {}),
        *(("get", f"{DASHBOARD}{name}.csv", {}) for name in FILES),
    ]


def test_only_a_s_staff_read_a_s_dashboard(
    client_for, town_a, town_b, resident_a, admin_a, resident_b, moderator_b, admin_b
) -> None:
    with schema_context(town_a.schema_name):
        PostFactory(
            kind=Post.Kind.REQUEST,
            title=SECRET_TITLE,
            created_at=timezone.now() - timedelta(days=9),
        )
    own = client_for(town_a, admin_a).get(f"{DASHBOARD}demandes-sans-reponse.csv")
    assert SECRET_TITLE in own.content.decode()  # what the others must not see
    visitors = [client_for(town_a), client_for(town_a, resident_a), client_for(None)]
    for intruder in (resident_b, moderator_b, admin_b):
        stolen = client_for(town_b, intruder)
        stolen.defaults["HTTP_HOST"] = town_a.primary_host  # B's cookie on A's site
        visitors.append(stolen)
    for client in visitors:
        for method, path, data in pages():
            probe(client, path, method=method, data=data, leaked=[SECRET_TITLE])
    with schema_context(town_a.schema_name):
        assert MutualAidSettings.load().active_residents_goal == 200
    assert not AuditEntry.objects.filter(action="aid.goal").exists()


def test_b_s_staff_see_only_b_on_their_own_dashboard(client_for, town_a, town_b, admin_b) -> None:
    with schema_context(town_a.schema_name):
        PostFactory(
            kind=Post.Kind.REQUEST, title=SECRET_TITLE, created_at=timezone.now() - timedelta(9)
        )
    admin = client_for(town_b, admin_b)
    for path in (DASHBOARD, f"{DASHBOARD}demandes-sans-reponse.csv"):
        response = admin.get(path)
        assert response.status_code == 200
        assert SECRET_TITLE not in response.content.decode()
    # B's admin setting B's goal leaves A's alone.
    assert admin.post(DASHBOARD, {"goal": "42"}).status_code == 302
    with schema_context(town_a.schema_name):
        assert MutualAidSettings.load().active_residents_goal == 200
    with schema_context(town_b.schema_name):
        assert MutualAidSettings.load().active_residents_goal == 42


def test_a_s_home_page_shows_its_posts_to_its_members_only(
    client_for, town_a, town_b, resident_a, resident_b
) -> None:
    with schema_context(town_a.schema_name):
        PostFactory(title=SECRET_TITLE)
        PostFactory(thanks="Merci secret", status=Post.Status.HELPED, helped_at=timezone.now())
    assert SECRET_TITLE in client_for(town_a, resident_a).get("/").content.decode()
    stolen = client_for(town_b, resident_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host  # B's cookie on A's site: a guest there
    for client in (client_for(town_a), stolen, client_for(town_b), client_for(town_b, resident_b)):
        page = client.get("/").content.decode()
        assert SECRET_TITLE not in page and "Merci secret" not in page
