"""The resident's notification list: newest first, unread marked, opened safely, all read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from notifications import context_processors
from notifications.factories import NotificationFactory
from notifications.models import Notification
from tests.helpers import body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notification_kinds")]
LIST = "/notifications/"


def _notifications(town, user, count: int, **fields) -> list[Notification]:
    """`count` notifications, the first made first (a minute apart)."""
    with schema_context(town.schema_name):
        made = NotificationFactory.create_batch(count, recipient=user, **fields)
        start = timezone.now() - timedelta(hours=1)
        for number, notification in enumerate(made):
            Notification.objects.filter(pk=notification.pk).update(
                created_at=start + timedelta(minutes=number)
            )
        return made


def test_the_list_shows_newest_first_with_unread_marked(client_for, town_a, resident_a) -> None:
    old, read, new = _notifications(town_a, resident_a, 3)
    with schema_context(town_a.schema_name):
        Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    page = body(client_for(town_a, resident_a).get(LIST))
    assert page.index(new.title) < page.index(read.title) < page.index(old.title)
    assert page.count("notification--unread") == 2
    assert page.count('<span class="badge">Nouveau</span>') == 2
    assert f"<strong>{new.title}</strong>" in page and f"<strong>{read.title}</strong>" not in page


def test_the_list_is_paginated(client_for, town_a, resident_a) -> None:
    made = _notifications(town_a, resident_a, 25)
    client = client_for(town_a, resident_a)
    first, second = body(client.get(LIST)), body(client.get(LIST + "?page=2"))
    assert first.count('class="card notification') == 20
    assert second.count('class="card notification') == 5
    assert made[-1].title in first and made[0].title in second
    assert "Page 1 sur 2" in first


def test_the_list_runs_as_many_queries_for_few_and_many(client_for, town_a, resident_a) -> None:
    client = client_for(town_a, resident_a)
    client.get(LIST)  # the host's tenant cached, as on a running site
    counts = []
    for size in (2, 40):
        _notifications(town_a, resident_a, size)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_opening_marks_it_read_and_goes_to_its_page(client_for, town_a, resident_a) -> None:
    (notification,) = _notifications(town_a, resident_a, 1, url="/mon-compte/?from=notif")
    response = client_for(town_a, resident_a).get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/mon-compte/?from=notif"
    with schema_context(town_a.schema_name):
        assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_opening_twice_keeps_the_first_reading_time(client_for, town_a, resident_a) -> None:
    (notification,) = _notifications(town_a, resident_a, 1)
    client = client_for(town_a, resident_a)
    client.get(f"/notifications/{notification.pk}/")
    with schema_context(town_a.schema_name):
        first = Notification.objects.get(pk=notification.pk).read_at
    client.get(f"/notifications/{notification.pk}/")
    with schema_context(town_a.schema_name):
        assert Notification.objects.get(pk=notification.pk).read_at == first


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "",
    ],
)
def test_opening_never_leaves_the_site(client_for, town_a, resident_a, url) -> None:
    (notification,) = _notifications(town_a, resident_a, 1, url=url)
    response = client_for(town_a, resident_a).get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == LIST


def test_mark_all_read(client_for, town_a, resident_a) -> None:
    _notifications(town_a, resident_a, 3)
    client = client_for(town_a, resident_a)
    assert client.get("/notifications/tout-lu/").status_code == 405
    response = client.post("/notifications/tout-lu/")
    assert response.status_code == 302 and response["Location"] == LIST
    with schema_context(town_a.schema_name):
        assert not Notification.objects.filter(recipient=resident_a, read_at__isnull=True).exists()
    assert "Toutes vos notifications sont marquées comme lues." in body(client.get(LIST))


def test_the_header_says_how_many_are_unread(client_for, town_a, resident_a) -> None:
    client = client_for(town_a, resident_a)
    assert "non lue" not in body(client.get("/mon-compte/"))
    _notifications(town_a, resident_a, 3)
    page = body(client.get("/mon-compte/"))
    # A badge to the eye, words to a screen reader: "Notifications (3 non lues)".
    assert (
        'Notifications <span class="badge" aria-hidden="true">3</span>'
        '<span class="visually-hidden"> (3 non lues)</span>'
    ) in page


def test_the_unread_count_is_one_query(rf: RequestFactory, town_a, resident_a) -> None:
    _notifications(town_a, resident_a, 4)
    request = rf.get("/")
    request.user = resident_a
    with schema_context(town_a.schema_name), CaptureQueriesContext(connection) as queries:
        context = context_processors.unread_notifications(request)
    # django-tenants' own `SET search_path` aside, which every query of a town pays.
    statements = [q["sql"] for q in queries if not q["sql"].startswith("SET search_path")]
    assert len(statements) == 1 and statements[0].startswith("SELECT COUNT(*)")
    assert context["notifications_unread"] == 4


def test_a_failing_count_leaves_the_page_whole(client_for, town_a, resident_a, monkeypatch) -> None:
    _notifications(town_a, resident_a, 2)

    def broken(user):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(context_processors, "unread_count", broken)
    response = client_for(town_a, resident_a).get("/mon-compte/")
    assert response.status_code == 200
    page = body(response)
    assert 'href="/notifications/">Notifications</a>' in page


def test_the_public_site_has_no_count(client_for, public_client) -> None:
    assert "/notifications/" not in body(public_client.get("/"))
