"""Daily and weekly digests: grouped by kind, in batches, at most one per resident and period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from notifications import digests, emails, tasks
from notifications.digests import period_start, run_digests
from notifications.kinds import Frequency
from notifications.models import DigestDelivery, Notification, Preference
from tenants.addresses import town_url
from tenants.tasks import for_each_ready_tenant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notification_kinds")]
PARIS = ZoneInfo("Europe/Paris")
# A Wednesday morning, when the daily digests run.
MORNING = datetime(2026, 12, 2, 7, 0, tzinfo=PARIS)


def _made(town, user, kind: str, title: str, *, when: datetime, **fields: Any) -> Notification:
    frequency = fields.pop("email_frequency", None) or emails_frequency(kind)
    with schema_context(town.schema_name):
        notification = Notification.objects.create(
            recipient=user, kind=kind, title=title, url="/", email_frequency=frequency, **fields
        )
        Notification.objects.filter(pk=notification.pk).update(created_at=when)
        return notification


def emails_frequency(kind: str) -> str:
    from notifications import kinds

    return kinds.get(kind).default_frequency


def _run(town, capture, frequency: str = Frequency.DAILY, now: datetime = MORNING):
    with schema_context(town.schema_name), capture(execute=True):
        return run_digests(frequency, now=now)


def test_periods_are_the_local_day_and_the_week_from_monday() -> None:
    late = datetime(2026, 12, 2, 23, 30, tzinfo=PARIS)  # 22:30 UTC, still Wednesday in Paris
    assert period_start(Frequency.DAILY, late).isoformat() == "2026-12-02"
    assert period_start(Frequency.WEEKLY, late).isoformat() == "2026-11-30"


def test_a_daily_digest_groups_the_day_by_kind(
    town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    yesterday = MORNING - timedelta(hours=12)
    with schema_context(town_a.schema_name):
        Preference.objects.create(user=resident_a, kind="tests.message", frequency="daily")
    first = _made(town_a, resident_a, "tests.new_post", "Courses le samedi", when=yesterday)
    second = _made(town_a, resident_a, "tests.new_post", "Prêt de perceuse", when=yesterday)
    message = _made(
        town_a,
        resident_a,
        "tests.message",
        "Karim vous a écrit",
        when=yesterday,
        email_frequency="daily",
    )
    weekly = _made(town_a, resident_a, "tests.weekly_news", "Marché de Noël", when=yesterday)
    run = _run(town_a, django_capture_on_commit_callbacks)

    assert (run.residents, run.tasks) == (1, 1)
    (email,) = mail.outbox
    assert email.to == [resident_a.email]
    assert email.subject == "[Villeneuve-les-Tests] Votre journée : 3 nouvelles notifications"
    text = email.body
    # By kind (in the order of their names), newest first within a kind.
    assert text.index("== Messages for you ==") < text.index("Karim vous a écrit")
    assert text.index("Karim vous a écrit") < text.index("== New posts ==")
    assert text.index("Prêt de perceuse") < text.index("Courses le samedi")
    assert "Marché de Noël" not in text
    assert town_url("town-a", f"/notifications/{first.pk}/") in text
    assert "Pour ne plus recevoir d’e-mails pour « New posts » :" in text
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with schema_context(town_a.schema_name):
        delivery = DigestDelivery.objects.get(user=resident_a)
        assert delivery.sent_at is not None
        assert (delivery.frequency, delivery.period_start.isoformat()) == ("daily", "2026-12-02")
        carried = Notification.objects.filter(digest=delivery, emailed_at__isnull=False)
        assert set(carried.values_list("pk", flat=True)) == {first.pk, second.pk, message.pk}
        assert Notification.objects.get(pk=weekly.pk).emailed_at is None


def test_the_header_link_unsubscribes_from_every_kind_of_the_digest(
    client_for, town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    yesterday = MORNING - timedelta(hours=3)
    with schema_context(town_a.schema_name):
        Preference.objects.create(user=resident_a, kind="tests.message", frequency="daily")
    _made(town_a, resident_a, "tests.new_post", "Courses", when=yesterday)
    _made(town_a, resident_a, "tests.message", "Bonjour", when=yesterday, email_frequency="daily")
    _run(town_a, django_capture_on_commit_callbacks)
    link = mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1]
    path = link.split("localhost:8000", 1)[1] if ":8000" in link else link.split("localhost", 1)[1]
    response = client_for(town_a).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    with schema_context(town_a.schema_name):
        rows = dict(Preference.objects.filter(user=resident_a).values_list("kind", "frequency"))
    assert rows == {"tests.message": "never", "tests.new_post": "never"}


def test_a_second_run_in_the_same_period_sends_nothing(
    town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    _made(town_a, resident_a, "tests.new_post", "Avant", when=MORNING - timedelta(hours=5))
    assert _run(town_a, django_capture_on_commit_callbacks).residents == 1
    # Something new the same day, then the digests run again (a retry, a second beat).
    late = _made(town_a, resident_a, "tests.new_post", "Après", when=MORNING + timedelta(hours=1))
    again = _run(town_a, django_capture_on_commit_callbacks, now=MORNING + timedelta(hours=2))
    assert (again.residents, again.tasks) == (0, 0)
    assert len(mail.outbox) == 1
    # The next day's digest carries it.
    next_day = _run(town_a, django_capture_on_commit_callbacks, now=MORNING + timedelta(days=1))
    assert next_day.residents == 1
    assert len(mail.outbox) == 2 and "Après" in mail.outbox[1].body
    with schema_context(town_a.schema_name):
        assert Notification.objects.get(pk=late.pk).emailed_at is not None


def test_claiming_twice_claims_nobody_twice(
    town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    _made(town_a, resident_a, "tests.new_post", "Une annonce", when=MORNING - timedelta(hours=1))
    start = period_start(Frequency.DAILY, MORNING)
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        assert digests.claim_batch(Frequency.DAILY, start, MORNING, [resident_a.pk]) == 1
        assert digests.claim_batch(Frequency.DAILY, start, MORNING, [resident_a.pk]) == 0
    assert len(mail.outbox) == 1


def test_a_run_that_crashes_halfway_finishes_when_run_again(
    town_a, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(digests, "DIGEST_BATCH", 2)
    with schema_context(town_a.schema_name):
        people = UserFactory.create_batch(5)
    for person in people:
        _made(town_a, person, "tests.new_post", "Annonce", when=MORNING - timedelta(hours=1))
    real_claim, calls = digests.claim_batch, []

    def crash_on_second(*args: Any) -> int:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real_claim(*args)

    monkeypatch.setattr(digests, "claim_batch", crash_on_second)
    with pytest.raises(RuntimeError):
        _run(town_a, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2  # the first batch went out
    monkeypatch.setattr(digests, "claim_batch", real_claim)
    rerun = _run(town_a, django_capture_on_commit_callbacks)
    assert (rerun.residents, rerun.tasks) == (3, 2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def test_a_changed_preference_is_followed(
    town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    stopped = _made(
        town_a, resident_a, "tests.new_post", "Stoppé", when=MORNING - timedelta(hours=2)
    )
    with schema_context(town_a.schema_name):
        Preference.objects.create(user=resident_a, kind="tests.new_post", frequency="weekly")
    run = _run(town_a, django_capture_on_commit_callbacks)
    assert (run.residents, mail.outbox) == (0, [])
    with schema_context(town_a.schema_name):
        assert Notification.objects.get(pk=stopped.pk).email_frequency == "weekly"
        assert not DigestDelivery.objects.exists()
    weekly = _run(town_a, django_capture_on_commit_callbacks, Frequency.WEEKLY)
    assert weekly.residents == 1 and "Votre semaine : 1 nouvelle notification" in (
        mail.outbox[0].subject
    )


def test_residents_without_anything_new_get_no_digest_and_no_task(
    town_a, resident_a, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.deliver_digests, "delay", queued.append)
    with schema_context(town_a.schema_name):
        UserFactory.create_batch(30)  # daily by default, and nothing to tell them
    _made(town_a, resident_a, "tests.new_post", "Seule annonce", when=MORNING - timedelta(hours=1))
    run = _run(town_a, django_capture_on_commit_callbacks)
    assert (run.residents, run.tasks, len(queued)) == (1, 1, 1)


def test_tasks_are_bounded_by_batches(
    town_a, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.deliver_digests, "delay", queued.append)
    monkeypatch.setattr(digests, "DIGEST_BATCH", 10)
    with schema_context(town_a.schema_name):
        people = UserFactory.create_batch(25)
    for person in people:
        for number in range(3):  # three new posts each: still one digest, in one of 3 tasks
            _made(
                town_a,
                person,
                "tests.new_post",
                f"Annonce {number}",
                when=MORNING - timedelta(hours=1),
            )
    run = _run(town_a, django_capture_on_commit_callbacks)
    assert (run.residents, run.tasks) == (25, 3)
    assert [len(batch) for batch in queued] == [10, 10, 5]


def test_the_beat_fans_the_digests_out_to_every_town(
    town_a, town_b, resident_a, resident_b, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    """The scheduled task runs in each town's schema: each resident gets their own town's
    digest, with links to their own town's site."""
    now = datetime.now(tz=PARIS)
    _made(town_a, resident_a, "tests.new_post", "Annonce de A", when=now - timedelta(hours=1))
    _made(town_b, resident_b, "tests.new_post", "Annonce de B", when=now - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        for_each_ready_tenant("notifications.tasks.send_digests", "daily")
    by_person = {message.to[0]: message for message in mail.outbox}
    assert set(by_person) == {resident_a.email, resident_b.email}
    assert "Annonce de A" in by_person[resident_a.email].body
    assert "Annonce de B" not in by_person[resident_a.email].body
    assert town_url("town-b", "/notifications/") in by_person[resident_b.email].body
    assert "town-a" not in by_person[resident_b.email].body
    assert by_person[resident_b.email].subject.startswith("[Bourg-sur-Essai]")


def test_unsubscribe_links_differ_per_person_and_kind(town_a, resident_a, moderator_a) -> None:
    with schema_context(town_a.schema_name):
        town = emails.Town.current()
        links = {
            emails.unsubscribe_url(town, resident_a, ["tests.new_post"]),
            emails.unsubscribe_url(town, resident_a, ["tests.message"]),
            emails.unsubscribe_url(town, moderator_a, ["tests.new_post"]),
        }
    assert len(links) == 3
