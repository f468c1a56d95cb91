"""Posts expire after 30 days: authors are told 3 days before, once, and renew in one click."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from mutual_aid.models import Post
from mutual_aid.posting import expiry
from mutual_aid.posting.tasks import remind_expiring_posts
from notifications.models import Notification
from tenants.models import AuditEntry
from tenants.tasks import for_each_ready_tenant
from tests.helpers import body
from tests.mutual_aid_support import new_post

pytestmark = pytest.mark.django_db


def _ending_in(author, delta, **fields):
    return new_post(author=author, expires_at=timezone.now() + delta, **fields)


def _reminders(town):
    with schema_context(town.schema_name):
        return list(Notification.objects.filter(kind="mutual_aid.expiry"))


def test_authors_are_told_once_three_days_before(town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        soon = _ending_in(resident_a, timedelta(days=2, hours=23), title="Bientôt fini")
        _ending_in(resident_a, timedelta(days=4))  # not yet
        _ending_in(resident_a, timedelta(days=1), status=Post.Status.CLOSED)
        _ending_in(resident_a, timedelta(days=1), deleted_at=timezone.now())
        _ending_in(resident_a, -timedelta(hours=1))  # already over
        assert remind_expiring_posts.delay().get() == 1
        assert remind_expiring_posts.delay().get() == 0  # retried, run twice: nobody twice
    [reminder] = _reminders(town_a)
    assert reminder.recipient_id == resident_a.pk
    assert "Bientôt fini" in reminder.title
    with schema_context(town_a.schema_name):
        soon.refresh_from_db()
        assert soon.expiry_reminded_at is not None
        token = reminder.url.removeprefix("/entraide/renouveler/").rstrip("/")
        link = expiry.read_renew_token(token)
        assert link is not None and (link.post, link.current) == (soon, True)


def test_the_daily_run_reaches_every_town_in_its_own_schema(
    town_a, town_b, resident_a, resident_b
) -> None:
    with schema_context(town_a.schema_name):
        _ending_in(resident_a, timedelta(days=1), title="Annonce de A")
    with schema_context(town_b.schema_name):
        _ending_in(resident_b, timedelta(days=1), title="Annonce de B")
    for_each_ready_tenant("mutual_aid.posting.tasks.remind_expiring_posts")
    [in_a] = _reminders(town_a)
    [in_b] = _reminders(town_b)
    assert (in_a.recipient_id, "Annonce de A" in in_a.title) == (resident_a.pk, True)
    assert (in_b.recipient_id, "Annonce de B" in in_b.title) == (resident_b.pk, True)


def test_a_renewed_post_is_reminded_again_before_its_new_end(
    town_a, resident_a, time_machine
) -> None:
    from mutual_aid.posting import services

    with schema_context(town_a.schema_name):
        post = _ending_in(resident_a, timedelta(days=1))
        expiry.remind_expiring_posts()
        services.renew_post(post, resident_a)
        time_machine.move_to(timezone.now() + timedelta(days=28))
        assert expiry.remind_expiring_posts() == 1
    assert len(_reminders(town_a)) == 2


@pytest.fixture
def reminded(town_a, resident_a):
    with schema_context(town_a.schema_name):
        post = _ending_in(resident_a, timedelta(days=2))
        expiry.remind_expiring_posts()
        return post, Notification.objects.get(kind="mutual_aid.expiry").url


def test_the_link_asks_first_then_renews(client_for, town_a, reminded) -> None:
    post, url = reminded
    guest = client_for(town_a)  # from the email, not logged in
    question = guest.get(url)
    assert question.status_code == 200
    assert "Renouveler pour 30 jours" in body(question)
    with schema_context(town_a.schema_name):
        post.refresh_from_db()
        assert post.expires_at < timezone.now() + timedelta(days=3)  # a GET changes nothing
    done = guest.post(url)
    assert "C’est fait" in body(done)
    with schema_context(town_a.schema_name):
        post.refresh_from_db()
        assert post.expires_at > timezone.now() + timedelta(days=29)
    again = guest.post(url)  # the link has done its work
    assert "déjà été renouvelée" in body(again)
    entries = AuditEntry.objects.filter(collectivite=town_a, action="post.renew")
    assert [entry.actor_id for entry in entries] == [post.author_id]


def test_the_link_of_town_a_does_nothing_on_town_b(
    client_for, town_a, town_b, resident_b, reminded
) -> None:
    post, url = reminded
    with schema_context(town_b.schema_name):
        same_id = new_post(pk=post.pk, author=resident_b, expires_at=post.expires_at)
    for client in (client_for(town_b), client_for(town_b, resident_b)):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    with schema_context(town_b.schema_name):
        same_id.refresh_from_db()
        assert same_id.expires_at == post.expires_at


def test_a_forged_or_stale_link_is_refused(client_for, town_a, reminded, time_machine) -> None:
    post, url = reminded
    guest = client_for(town_a)
    assert guest.get(reverse("mutual_aid:renew_by_link", args=["forged"])).status_code == 404
    forged = url.replace("/renouveler/", "/renouveler/x")
    assert guest.post(forged).status_code == 404
    time_machine.move_to(post.expires_at + timedelta(days=8))
    assert guest.post(url).status_code == 404


def test_the_reminder_body_offers_the_link(town_a, reminded) -> None:
    _post, url = reminded
    assert re.fullmatch(r"/entraide/renouveler/[^/]+/", url)


def test_reminders_go_out_in_batches_until_none_is_left(town_a, resident_a, monkeypatch) -> None:
    monkeypatch.setattr(expiry, "BATCH", 2)
    with schema_context(town_a.schema_name):
        for _ in range(5):
            _ending_in(resident_a, timedelta(days=1))
        assert expiry.remind_expiring_posts() == 5
    assert len(_reminders(town_a)) == 5


def test_a_post_renewed_before_its_turn_is_not_marked(town_a, resident_a) -> None:
    from mutual_aid.posting import services

    with schema_context(town_a.schema_name):
        post = _ending_in(resident_a, timedelta(days=1))
        [due] = expiry.due_for_reminder()
        services.renew_post(post, resident_a)  # between the listing and its turn
        assert expiry.remind(due) == 0
        post.refresh_from_db()
        assert post.expiry_reminded_at is None  # told again before its new end
    assert _reminders(town_a) == []
