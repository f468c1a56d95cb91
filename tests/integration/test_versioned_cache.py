"""Cached entries made stale by a version: one round trip, never a stale entry after a commit,
never another town's entry; the unread count and the town's look built on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.models import User
from notifications.services import mark_all_read, notify, unread_count
from tenants import request_memo, versioned_cache
from tenants.models import Collectivite
from townsite.setup import services as setup_services
from townsite.setup.queries import site_look

pytestmark = pytest.mark.django_db

VERSION = "test:version"


class Counter:
    """A value that changes each time it is computed: says whether an entry was served."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def test_an_entry_is_computed_once_then_read_from_the_cache(town_a: Collectivite) -> None:
    compute = Counter()
    with schema_context(town_a.schema_name):
        first = versioned_cache.read(VERSION, {"test:entry": compute}, seconds=60)
        again = versioned_cache.read(VERSION, {"test:entry": compute}, seconds=60)
    assert first == again == {"test:entry": 1}
    assert compute.calls == 1


def test_a_bump_counts_once_the_change_commits(
    town_a: Collectivite, django_capture_on_commit_callbacks: Any
) -> None:
    compute = Counter()
    with schema_context(town_a.schema_name):
        versioned_cache.read(VERSION, {"test:entry": compute}, seconds=60)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            with transaction.atomic():
                versioned_cache.bump(VERSION)
            # Not committed yet: readers keep the entry (they could not see the change anyway).
            assert versioned_cache.read(VERSION, {"test:entry": compute}, seconds=60) == {
                "test:entry": 1
            }
        for callback in callbacks:
            callback()
        assert versioned_cache.read(VERSION, {"test:entry": compute}, seconds=60) == {
            "test:entry": 2
        }


def test_an_entry_computed_before_a_bump_and_stored_after_is_never_served(
    town_a: Collectivite, django_capture_on_commit_callbacks: Any
) -> None:
    with schema_context(town_a.schema_name):
        versioned_cache.read(VERSION, {"test:entry": lambda: "first"}, seconds=60)

        def slow_reader() -> str:
            # While this reader computes from the old rows, a writer commits and bumps.
            with django_capture_on_commit_callbacks(execute=True):
                versioned_cache.bump(VERSION)
            return "old rows"

        cache.delete(versioned_cache_key := "test:entry")
        assert versioned_cache.read(VERSION, {versioned_cache_key: slow_reader}, seconds=60) == {
            "test:entry": "old rows"
        }
        fresh = versioned_cache.read(VERSION, {"test:entry": lambda: "new rows"}, seconds=60)
    assert fresh == {"test:entry": "new rows"}


def test_a_town_never_reads_another_towns_entry(town_a: Collectivite, town_b: Collectivite) -> None:
    with schema_context(town_a.schema_name):
        versioned_cache.read(VERSION, {"test:entry": lambda: "A's"}, seconds=60)
    with schema_context(town_b.schema_name):
        assert versioned_cache.read(VERSION, {"test:entry": lambda: "B's"}, seconds=60) == {
            "test:entry": "B's"
        }


def test_a_bump_made_in_a_town_reaches_that_towns_version_whatever_the_schema_at_commit(
    town_a: Collectivite, django_capture_on_commit_callbacks: Any
) -> None:
    compute = Counter()
    with schema_context(town_a.schema_name):
        versioned_cache.read(VERSION, {"test:entry": compute}, seconds=60)
    with django_capture_on_commit_callbacks(execute=True), schema_context(town_a.schema_name):
        versioned_cache.bump(VERSION)
        # The transaction commits here, back in the public schema.
    with schema_context(town_a.schema_name):
        assert versioned_cache.read(VERSION, {"test:entry": compute}, seconds=60) == {
            "test:entry": 2
        }


# --- The unread count -----------------------------------------------------------------------


@pytest.fixture
def counted(settings: Any, notification_kinds: Any) -> None:
    settings.NOTIFICATIONS_UNREAD_CACHE_SECONDS = 300


def _tell(person: User, capture: Any) -> None:
    with capture(execute=True), transaction.atomic():
        notify(person, "tests.message", title="Bonjour")


def test_the_cached_unread_count_follows_each_notification_and_reading(
    counted: None,
    town_a: Collectivite,
    resident_a: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with schema_context(town_a.schema_name):
        assert unread_count(resident_a) == 0
        with CaptureQueriesContext(connection) as queries:
            assert unread_count(resident_a) == 0
        assert not queries.captured_queries  # from the cache
        _tell(resident_a, django_capture_on_commit_callbacks)
        _tell(resident_a, django_capture_on_commit_callbacks)
        assert unread_count(resident_a) == 2
        with django_capture_on_commit_callbacks(execute=True):
            mark_all_read(resident_a)
        assert unread_count(resident_a) == 0


def test_two_towns_people_with_the_same_id_keep_their_own_count(
    counted: None,
    town_a: Collectivite,
    town_b: Collectivite,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with schema_context(town_a.schema_name):
        in_a = User.objects.create(id=990_001, email="a@example.org", display_name="A")
    with schema_context(town_b.schema_name):
        # The same id, in the other town's schema.
        in_b = User.objects.create(id=990_001, email="b@example.org", display_name="B")
        assert unread_count(in_b) == 0
    with schema_context(town_a.schema_name):
        _tell(in_a, django_capture_on_commit_callbacks)
        assert unread_count(in_a) == 1
    with schema_context(town_b.schema_name):
        assert unread_count(in_b) == 0


def test_the_header_shows_the_count_from_the_cache(
    counted: None,
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with schema_context(town_a.schema_name):
        _tell(resident_a, django_capture_on_commit_callbacks)
    page = client_for(town_a, resident_a).get("/").content.decode()
    assert "(1 non lue)" in page


# --- The town's look, read once a request -------------------------------------------------


def test_the_look_is_read_from_the_cache_once_a_request_and_follows_a_change(
    town_a: Collectivite,
) -> None:
    with schema_context(town_a.schema_name), request_memo.scope():
        site_look()
        cache.set("townsite:look", {"primary_colour": "#000000"}, 60)
        # Later reads of the same request keep what the first one read.
        assert site_look()["primary_colour"] != "#000000"
        setup_services.save_look(primary_colour="#7a1f1f", by=None)
        assert site_look()["primary_colour"] == "#7a1f1f"
