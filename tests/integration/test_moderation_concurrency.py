"""Reports made at the same instant, from threads with their own connections: one email per
moderator, and one report when a person clicks twice. The setup is committed, and removed after.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from tenants.models import Collectivite
from tests.conftest import TOWNS
from townsite.moderation import reporting
from townsite.moderation.errors import AlreadyReported
from townsite.moderation.models import ModeratorAlert, Report

EMAILS = [f"concurrence-{n}@town-a.example" for n in range(4)]


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[str, list[User]]]:
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            roles = [User.Role.MODERATOR] + [User.Role.RESIDENT] * 3
            people = [
                create_member(
                    email=email, display_name=f"Personne {n}", role=role, password=TEST_PASSWORD
                )
                for n, (email, role) in enumerate(zip(EMAILS, roles, strict=True))
            ]
    try:
        yield schema, people
    finally:
        with django_db_blocker.unblock(), schema_context(schema):
            Report.objects.all().delete()
            ModeratorAlert.objects.all().delete()
            User.objects.filter(email__in=EMAILS).delete()


def _at_once(django_db_blocker: Any, schema: str, *calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; their results (or errors), in order."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            with schema_context(schema):
                start.wait(timeout=10)
                try:
                    results[index] = calls[index]()
                except Exception as error:  # noqa: BLE001  (the test looks at it)
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


@pytest.mark.parametrize("attempt", range(3))
def test_two_reports_at_once_send_the_moderator_one_email(
    committed: tuple[str, list[User]], django_db_blocker: Any, attempt: int
) -> None:
    schema, (moderator, first, second, target) = committed
    with django_db_blocker.unblock(), schema_context(schema):
        # Alerted before, over an hour ago: the row exists, both reports find it due.
        ModeratorAlert.objects.create(
            moderator=moderator, last_sent_at=timezone.now() - timedelta(hours=2)
        )
    mail.outbox.clear()
    inside = threading.Event()

    def first_report_committing_slowly() -> Report:
        with transaction.atomic():
            made = reporting.report(first, "personne", str(target.pk), reason="spam")
            inside.set()
            time.sleep(0.5)  # the second report runs while this one is not committed yet
        return made

    def second_report() -> Report:
        inside.wait(timeout=10)
        return reporting.report(second, "personne", str(target.pk), reason="danger")

    results = _at_once(django_db_blocker, schema, first_report_committing_slowly, second_report)
    assert all(isinstance(result, Report) for result in results)
    assert [message.to for message in mail.outbox if moderator.email in message.to] == [
        [moderator.email]
    ]
    with django_db_blocker.unblock(), schema_context(schema):
        Report.objects.all().delete()
        ModeratorAlert.objects.all().delete()


@pytest.mark.parametrize("attempt", range(3))
def test_two_clicks_at_once_make_one_report(
    committed: tuple[str, list[User]], django_db_blocker: Any, attempt: int
) -> None:
    schema, (_moderator, first, _second, target) = committed
    results = _at_once(
        django_db_blocker,
        schema,
        lambda: reporting.report(first, "personne", str(target.pk), reason="spam"),
        lambda: reporting.report(first, "personne", str(target.pk), reason="spam"),
    )
    assert sorted(type(result).__name__ for result in results) == ["AlreadyReported", "Report"]
    assert any(isinstance(result, AlreadyReported) for result in results)
    with django_db_blocker.unblock(), schema_context(schema):
        assert Report.objects.filter(reporter=first).count() == 1
        Report.objects.all().delete()
        ModeratorAlert.objects.all().delete()
