"""The new-post fan-out on a real Celery worker: sent from town A, it runs in A's schema and
tells A's followers only; the same post id sent from town B tells nobody in A."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.factories import PostFactory, category
from mutual_aid.following import services, tasks
from mutual_aid.models import Post
from notifications.models import Notification
from tenants.models import Collectivite
from tests.conftest import TOWNS
from tests.isolation.test_celery_tasks import real_worker  # noqa: F401  (the fixture)

pytestmark = pytest.mark.celery_worker


def _schema(key: str) -> str:
    return Collectivite.objects.get(slug=TOWNS[key]["slug"]).schema_name


@pytest.fixture
def committed_followers(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict]:
    """Two followers of "courses" in each town and a post in A, committed (the worker is
    another process); removed afterwards."""
    made: dict[str, list[int]] = {}
    with django_db_blocker.unblock():
        for key in ("a", "b"):
            with schema_context(_schema(key)):
                people = [UserFactory.create() for _ in range(2)]
                for person in people:
                    services.save_subscription(
                        person, categories=[category("courses")], neighbourhoods=[]
                    )
                made[key] = [person.pk for person in people]
        with schema_context(_schema("a")):
            post = PostFactory.create(category=category("courses"))
    yield {"post": post, "followers": made}
    with django_db_blocker.unblock():
        with schema_context(_schema("a")):
            Post.objects.filter(pk=post.pk).delete()
        for key in ("a", "b"):
            with schema_context(_schema(key)):
                User.objects.filter(pk__in=made[key]).delete()


def _told_in_a(wait: float = 20.0) -> set[int]:
    """Who in town A was told of a new post, once the worker has written it."""
    deadline = time.monotonic() + wait
    while True:
        told = set(
            Notification.objects.filter(kind="mutual_aid.new_post").values_list(
                "recipient_id", flat=True
            )
        )
        if told or time.monotonic() > deadline:
            return told
        time.sleep(0.2)


def test_the_fan_out_runs_in_the_town_it_was_sent_from(
    real_worker: None,  # noqa: F811
    committed_followers: dict,
    django_db_blocker: Any,
) -> None:
    post = committed_followers["post"]
    with django_db_blocker.unblock():
        with schema_context(_schema("b")):
            assert tasks.notify_new_post.delay(post.pk).get(timeout=20) == 0
        with schema_context(_schema("a")), transaction.atomic():
            services.on_post_published(post)  # sent once this block commits
        with schema_context(_schema("a")):
            assert _told_in_a() == set(committed_followers["followers"]["a"])
        with schema_context(_schema("b")):
            assert not Notification.objects.filter(kind="mutual_aid.new_post").exists()
