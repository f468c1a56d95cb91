"""Emails sent right away: after commit, in batches, once each, with a one-click unsubscribe."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from notifications import delivery, services, tasks
from notifications.kinds import Frequency
from notifications.models import Notification, Preference
from tenants.addresses import town_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notification_kinds")]


def _notify(town, recipients, capture, kind="tests.message", **fields: Any) -> list[Notification]:
    with schema_context(town.schema_name), capture(execute=True):
        return services.notify_many(
            recipients, kind, title=fields.pop("title", "Sophie vous a répondu"), **fields
        )


def test_an_immediate_notification_is_emailed_after_commit(
    town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        with django_capture_on_commit_callbacks(execute=True):
            (made,) = services.notify_many(
                [resident_a], "tests.message", title="Sophie vous a répondu", url="/entraide/3/"
            )
            assert mail.outbox == []  # nothing before the commit
        made.refresh_from_db()
    (message,) = mail.outbox
    assert message.to == [resident_a.email]
    assert message.subject == "[Villeneuve-les-Tests] Sophie vous a répondu"
    assert message.from_email.startswith("Villeneuve-les-Tests <")
    assert town_url("town-a", f"/notifications/{made.pk}/") in message.body
    assert "La mairie de Villeneuve-les-Tests" in message.body
    link = message.extra_headers["List-Unsubscribe"]
    assert link.startswith("<" + town_url("town-a", "/mon-compte/notifications/desabonnement/"))
    assert link[1:-1] in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert made.emailed_at is not None and made.email_frequency == Frequency.IMMEDIATE


@pytest.mark.parametrize("frequency", [Frequency.DAILY, Frequency.WEEKLY, Frequency.NEVER])
def test_no_email_at_once_for_other_choices(
    town_a, resident_a, django_capture_on_commit_callbacks, frequency
) -> None:
    with schema_context(town_a.schema_name):
        Preference.objects.create(user=resident_a, kind="tests.message", frequency=frequency)
    (made,) = _notify(town_a, [resident_a], django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert made.email_frequency == frequency and made.emailed_at is None


def test_nobody_is_emailed_without_a_real_address(
    town_a, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        desk = UserFactory(email="habitant-0a1b2c@sans-email.invalid")
    (made,) = _notify(town_a, [desk], django_capture_on_commit_callbacks)
    assert mail.outbox == [] and made.email_frequency == Frequency.NEVER


def test_nobody_is_told_of_their_own_act(
    town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    made = _notify(town_a, [resident_a], django_capture_on_commit_callbacks, actor=resident_a)
    assert made == [] and mail.outbox == []


def test_an_event_for_many_queues_one_task_per_batch(
    town_a, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.send_notification_emails, "delay", queued.append)
    with schema_context(town_a.schema_name):
        people = UserFactory.create_batch(delivery.IMMEDIATE_BATCH * 2 + 5)
    made = _notify(town_a, people, django_capture_on_commit_callbacks)
    assert [len(batch) for batch in queued] == [delivery.IMMEDIATE_BATCH] * 2 + [5]
    assert sorted(pk for batch in queued for pk in batch) == sorted(n.pk for n in made)


def test_running_a_batch_twice_sends_each_email_once(
    town_a, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(tasks.send_notification_emails, "delay", lambda ids: None)
    with schema_context(town_a.schema_name):
        people = UserFactory.create_batch(3)
    made = _notify(town_a, people, django_capture_on_commit_callbacks)
    ids = [n.pk for n in made]
    with schema_context(town_a.schema_name):
        assert delivery.send_immediate(ids) == 3
        assert delivery.send_immediate(ids) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


class FailsOnSecond(EmailBackend):
    """A mail server that accepts one message, then fails (until the test lets it through)."""

    sent = 0
    broken = True

    def send_messages(self, messages: Any) -> int:
        if FailsOnSecond.broken and FailsOnSecond.sent >= 1:
            raise smtplib.SMTPServerDisconnected("gone")
        FailsOnSecond.sent += len(messages)
        return super().send_messages(messages)


def test_a_failure_halfway_is_retried_without_sending_twice(
    town_a, django_capture_on_commit_callbacks, monkeypatch, settings
) -> None:
    monkeypatch.setattr(tasks.send_notification_emails, "delay", lambda ids: None)
    settings.MAILERS = {**settings.MAILERS, "delivery": {"BACKEND": f"{__name__}.FailsOnSecond"}}
    FailsOnSecond.sent, FailsOnSecond.broken = 0, True
    with schema_context(town_a.schema_name):
        people = UserFactory.create_batch(3)
    made = _notify(town_a, people, django_capture_on_commit_callbacks)
    ids = [n.pk for n in made]
    with schema_context(town_a.schema_name):
        with pytest.raises(smtplib.SMTPException):
            delivery.send_immediate(ids)
        assert Notification.objects.filter(pk__in=ids, emailed_at__isnull=False).count() == 1
        FailsOnSecond.broken = False
        assert delivery.send_immediate(ids) == 2
    assert len(mail.outbox) == 3
    assert len({m.to[0] for m in mail.outbox}) == 3


def test_an_unsubscribe_before_the_task_runs_is_obeyed(
    town_a, resident_a, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(tasks.send_notification_emails, "delay", lambda ids: None)
    (made,) = _notify(town_a, [resident_a], django_capture_on_commit_callbacks)
    with schema_context(town_a.schema_name):
        Preference.objects.create(user=resident_a, kind="tests.message", frequency="never")
        assert delivery.send_immediate([made.pk]) == 0
        made.refresh_from_db()
    assert mail.outbox == [] and made.email_frequency == Frequency.NEVER


def test_the_mail_tasks_are_retried_and_acknowledged_late() -> None:
    for task in (tasks.send_notification_emails, tasks.deliver_digests, tasks.send_digests):
        assert task.acks_late is True
        assert smtplib.SMTPException in task.autoretry_for and task.max_retries == 8
