"""Town A's notifications, their links and their unsubscribe tokens stay with their resident.

Intruders: a guest of A, another resident of A, a resident of B on B's site, and B's session
cookie carried to A's site. After every attempt, A's notification is unread and its resident's
email preferences are untouched.
"""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from notifications import emails
from notifications.factories import NotificationFactory
from notifications.models import Notification, Preference
from tests.helpers import body, probe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notification_kinds")]
SECRET = "Votre voisine Odile a répondu à votre demande de garde"


@pytest.fixture
def notification_a(town_a, resident_a) -> Notification:
    with schema_context(town_a.schema_name):
        return NotificationFactory.create(recipient=resident_a, title=SECRET, url="/mon-compte/")


@pytest.fixture
def neighbour_a(town_a):
    with schema_context(town_a.schema_name):
        return UserFactory()


def _untouched(town_a, resident_a, notification_a) -> None:
    with schema_context(town_a.schema_name):
        assert Notification.objects.get(pk=notification_a.pk).read_at is None
        assert not Preference.objects.filter(user=resident_a).exists()


def _intruders(client_for, town_a, town_b, neighbour_a, resident_b):
    stolen = client_for(town_b, resident_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host  # B's session cookie on A's site
    return {
        "guest of A": client_for(town_a),
        "another resident of A": client_for(town_a, neighbour_a),
        "resident of B on B": client_for(town_b, resident_b),
        "B's cookie on A": stolen,
    }


def test_nobody_else_reads_or_opens_a_notification(
    client_for, town_a, town_b, resident_a, neighbour_a, resident_b, notification_a
) -> None:
    opening = f"/notifications/{notification_a.pk}/"
    for who, client in _intruders(client_for, town_a, town_b, neighbour_a, resident_b).items():
        listing = client.get("/notifications/")
        if listing.status_code == 200:  # a signed-in resident: their own, empty, list
            assert SECRET not in body(listing), who
            # "Mark all read" marks their own (none), never A's resident's.
            assert client.post("/notifications/tout-lu/").status_code == 302
        else:
            probe(client, "/notifications/", leaked=[SECRET])
            probe(client, "/notifications/tout-lu/", method="post", leaked=[SECRET])
        probe(client, opening, leaked=[SECRET])
    _untouched(town_a, resident_a, notification_a)
    assert SECRET in body(client_for(town_a, resident_a).get("/notifications/"))


def test_b_resident_opening_a_id_on_b_gets_only_their_own(
    client_for, town_a, town_b, resident_a, resident_b, notification_a
) -> None:
    """The same id can exist in both schemas: on B's site it is B's row, and only its owner's."""
    with schema_context(town_b.schema_name):
        other = UserFactory.create()
        NotificationFactory(recipient=other)  # B's rows, none of them resident_b's
        Notification.objects.filter(recipient=other).update(id=notification_a.pk)
    probe(client_for(town_b, resident_b), f"/notifications/{notification_a.pk}/", leaked=[SECRET])
    _untouched(town_a, resident_a, notification_a)


def test_nobody_else_changes_a_preferences(
    client_for, town_a, town_b, resident_a, neighbour_a, resident_b, notification_a
) -> None:
    data = {
        "kind__tests.message": "never",
        "kind__tests.new_post": "never",
        "kind__tests.weekly_news": "never",
    }
    for who, client in _intruders(client_for, town_a, town_b, neighbour_a, resident_b).items():
        response = client.post("/mon-compte/notifications/", data)
        if who in ("another resident of A", "resident of B on B"):
            assert response.status_code == 302  # their own preferences, not A's resident's
        else:
            probe(client, "/mon-compte/notifications/", method="post", data=data)
    _untouched(town_a, resident_a, notification_a)


def _token_path(town, user, kinds=("tests.new_post",)) -> str:
    with schema_context(town.schema_name):
        link = emails.unsubscribe_url(emails.Town.current(), user, list(kinds))
    return "/" + link.split("/", 3)[3]


def test_a_token_made_on_a_is_refused_on_b(
    client_for, town_a, town_b, resident_a, resident_b, notification_a
) -> None:
    path = _token_path(town_a, resident_a)
    with schema_context(town_b.schema_name):
        UserFactory.create_batch(3)  # so that B has a user with resident_a's id, or near it
    for method in ("get", "post"):
        probe(client_for(town_b), path, method=method)
        probe(client_for(town_b, resident_b), path, method=method)
    with schema_context(town_b.schema_name):
        assert not Preference.objects.exists()
    _untouched(town_a, resident_a, notification_a)


def test_a_tampered_token_is_refused(client_for, town_a, resident_a, notification_a) -> None:
    path = _token_path(town_a, resident_a)
    token = path.rstrip("/").rsplit("/", 1)[1]
    value, stamp, signature = token.split(":")
    other = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    for bad in (
        f"{other}:{stamp}:{signature}",
        f"{value}:{stamp}:{signature[:-1]}x",
        "nimportequoi",
    ):
        probe(client_for(town_a), f"/mon-compte/notifications/desabonnement/{bad}/", method="post")
    _untouched(town_a, resident_a, notification_a)


def test_a_token_changes_only_its_person_and_its_kinds(
    client_for, town_a, resident_a, neighbour_a
) -> None:
    path = _token_path(town_a, resident_a, ["tests.new_post"])
    assert client_for(town_a, neighbour_a).post(path).status_code == 200
    with schema_context(town_a.schema_name):
        assert dict(Preference.objects.values_list("user_id", "kind")) == {
            resident_a.pk: "tests.new_post"
        }
        assert Preference.objects.get().frequency == "never"


def test_a_token_cannot_reach_a_staff_kind_of_a_resident(client_for, town_a, resident_a) -> None:
    probe(client_for(town_a), _token_path(town_a, resident_a, ["tests.reports"]), method="post")
    with schema_context(town_a.schema_name):
        assert not Preference.objects.exists()
