"""Supports sent at the same instant, from two threads with their own connections: a double
click counts once (with the French refusal for the second), two neighbours count twice.

The support is slowed down between its lock and its check, so that without the idea's row
lock both threads would pass the check. What the threads share is committed, removed after.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connections
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from participation.ideas import services
from participation.ideas.access import NotAllowed
from participation.ideas.factories import IdeaFactory
from participation.ideas.models import Idea, IdeaSupport
from tenants.models import Collectivite
from tests.conftest import TOWNS

SLOW = 0.3


@dataclass
class Committed:
    schema: str
    author: User
    first: User
    second: User


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: Any) -> Iterator[Committed]:
    with django_db_blocker.unblock():
        town = Collectivite.objects.get(slug=TOWNS["a"]["slug"])
        with schema_context(town.schema_name):
            people = [UserFactory.create(display_name=f"Soutien {n}") for n in range(3)]
    try:
        yield Committed(town.schema_name, *people)
    finally:
        with django_db_blocker.unblock(), schema_context(town.schema_name):
            Idea.objects.filter(author=people[0]).delete()
            User.objects.filter(pk__in=[person.pk for person in people]).delete()


def _at_once(django_db_blocker: Any, *calls: Callable[[], Any]) -> list[Any]:
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            start.wait(timeout=10)
            results[index] = calls[index]()
        except BaseException as error:  # the test reads it
            results[index] = error
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return results


@pytest.fixture
def slowed(monkeypatch: pytest.MonkeyPatch) -> None:
    original = services._ensure_open

    def slow(idea: Idea) -> None:
        original(idea)
        time.sleep(SLOW)

    monkeypatch.setattr(services, "_ensure_open", slow)


def _support(committed: Committed, idea: Idea, person: User) -> Callable[[], str]:
    def call() -> str:
        with schema_context(committed.schema):
            try:
                services.support(person, idea)
            except NotAllowed as refused:
                return refused.message
            return "supported"

    return call


def _state(committed: Committed, django_db_blocker: Any, idea: Idea) -> tuple[int, int]:
    with django_db_blocker.unblock(), schema_context(committed.schema):
        count = Idea.objects.get(pk=idea.pk).support_count
        return count, IdeaSupport.objects.filter(idea=idea).count()


@pytest.mark.parametrize("attempt", range(2))
def test_a_double_click_counts_once(
    committed: Committed, django_db_blocker: Any, slowed: None, attempt: int
) -> None:
    with django_db_blocker.unblock(), schema_context(committed.schema):
        idea = IdeaFactory.create(author=committed.author)
    call = _support(committed, idea, committed.first)
    results = _at_once(django_db_blocker, call, call)
    assert sorted(results) == [
        "Vous soutenez déjà cette idée : un seul soutien par personne.",
        "supported",
    ]
    assert _state(committed, django_db_blocker, idea) == (1, 1)


def test_two_neighbours_at_once_count_twice(
    committed: Committed, django_db_blocker: Any, slowed: None
) -> None:
    with django_db_blocker.unblock(), schema_context(committed.schema):
        idea = IdeaFactory.create(author=committed.author)
    results = _at_once(
        django_db_blocker,
        _support(committed, idea, committed.first),
        _support(committed, idea, committed.second),
    )
    assert results == ["supported", "supported"]
    assert _state(committed, django_db_blocker, idea) == (2, 2)
