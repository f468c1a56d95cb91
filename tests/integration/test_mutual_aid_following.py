"""Following new posts: what a resident follows, and one fan-out task per published post."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.factories import PostFactory, category
from mutual_aid.following import services, tasks
from mutual_aid.models import Post, Subscription
from notifications.models import Notification
from tenants.models import Collectivite
from tests.helpers import body
from townsite.models import Neighbourhood
from townsite.moderation.models import Block

pytestmark = pytest.mark.django_db
NEW_POST = "mutual_aid.new_post"


@pytest.fixture
def in_a(town_a: Collectivite) -> Iterator[Collectivite]:
    with schema_context(town_a.schema_name):
        yield town_a


@pytest.fixture
def places(in_a: Collectivite) -> dict[str, Neighbourhood]:
    return {
        "gare": Neighbourhood.objects.create(name="La Gare", position=1),
        "centre": Neighbourhood.objects.create(name="Le Centre", position=2),
    }


def _follower(categories: list[str], places: list[Neighbourhood] = ()) -> User:  # type: ignore[assignment]
    person = UserFactory.create()
    services.save_subscription(
        person, categories=[category(slug) for slug in categories], neighbourhoods=places
    )
    return person


def _told(post: Post) -> set[int]:
    return set(
        Notification.objects.filter(kind=NEW_POST, url=services.post_url(post)).values_list(
            "recipient_id", flat=True
        )
    )


def test_followers_are_those_of_the_category_and_place(places) -> None:
    gare, centre = places["gare"], places["centre"]
    whole_town = _follower(["courses"])
    at_the_station = _follower(["courses"], [gare])
    downtown = _follower(["courses"], [centre])
    gardening = _follower(["jardinage"])
    _follower([], [gare])  # a place but no category: follows nothing
    post = PostFactory.create(category=category("courses"), neighbourhood=gare)
    assert set(services.followers_of(post)) == {whole_town, at_the_station}
    everywhere = PostFactory.create(category=category("courses"), neighbourhood=None)
    assert set(services.followers_of(everywhere)) == {whole_town, at_the_station, downtown}
    assert gardening not in set(services.followers_of(everywhere))


def test_the_author_and_closed_accounts_are_not_told(in_a) -> None:
    author = _follower(["courses"])
    gone = _follower(["courses"])
    User.objects.filter(pk=gone.pk).update(is_active=False)
    post = PostFactory.create(author=author, category=category("courses"))
    assert list(services.followers_of(post)) == []


def test_people_who_blocked_each_other_do_not_hear_of_each_others_posts(in_a) -> None:
    author = UserFactory.create()
    blocked_by_author, blocking_author, neighbour = (_follower(["courses"]) for _ in range(3))
    Block.objects.create(blocker=author, blocked=blocked_by_author)
    Block.objects.create(blocker=blocking_author, blocked=author)
    post = PostFactory.create(author=author, category=category("courses"))
    assert list(services.followers_of(post)) == [neighbour]


def test_publishing_sends_one_task_after_commit_that_tells_every_follower(
    in_a, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    followers = {_follower(["courses"]).pk for _ in range(3)}
    post = PostFactory.create(category=category("courses"), title="Pain pour Mme Roux")
    sent: list[int] = []
    real_delay = tasks.notify_new_post.delay

    def delay(pk: int) -> object:
        sent.append(pk)
        return real_delay(pk)

    monkeypatch.setattr(tasks.notify_new_post, "delay", delay)
    with django_capture_on_commit_callbacks(execute=True):
        services.on_post_published(post)
        assert sent == []  # nothing before the commit
    assert sent == [post.pk]  # one task, once committed
    assert _told(post) == followers
    notice = Notification.objects.filter(kind=NEW_POST).first()
    assert notice is not None
    assert notice.title == "Nouveau dans « Courses » : Pain pour Mme Roux"
    assert notice.url == f"/entraide/{post.pk}/"


def test_the_fan_out_runs_in_batches_with_a_constant_number_of_queries(in_a) -> None:
    def queries_for(count: int) -> int:
        post = PostFactory.create(category=category("jardinage"))
        for _ in range(count):
            _follower(["jardinage"])
        with CaptureQueriesContext(connection) as queries:
            told = services.tell_followers(post.pk, batch_size=10)
        assert told == count
        Subscription.objects.all().delete()
        statements = ("SELECT", "INSERT", "UPDATE", "DELETE")
        return sum(q["sql"].startswith(statements) for q in queries.captured_queries)

    # Each batch of 10 costs the same few queries (its followers, its insert), never one per
    # follower: 20 more followers are two more batches.
    ten, twenty, thirty = queries_for(10), queries_for(20), queries_for(30)
    per_batch = twenty - ten
    assert thirty - twenty == per_batch
    assert 2 <= per_batch <= 4


def test_running_the_task_twice_tells_nobody_twice(in_a) -> None:
    followers = {_follower(["animaux"]).pk for _ in range(5)}
    post = PostFactory.create(category=category("animaux"))
    assert tasks.notify_new_post(post.pk) == 5
    assert tasks.notify_new_post(post.pk) == 0
    assert Notification.objects.filter(kind=NEW_POST).count() == 5
    assert _told(post) == followers


@pytest.mark.parametrize(
    "change",
    [{"deleted_at": timezone.now()}, {"hidden_at": timezone.now()}, {"status": "closed"}],
    ids=["deleted", "hidden", "closed"],
)
def test_a_post_gone_before_the_task_runs_is_not_announced(in_a, change) -> None:
    _follower(["courses"])
    post = PostFactory.create(category=category("courses"))
    Post.objects.filter(pk=post.pk).update(**change)
    assert tasks.notify_new_post(post.pk) == 0
    assert not Notification.objects.filter(kind=NEW_POST).exists()


def test_a_task_sent_from_town_b_tells_nobody_in_town_a(town_a, town_b) -> None:
    with schema_context(town_a.schema_name):
        _follower(["courses"])
        post = PostFactory.create(category=category("courses"))
    with schema_context(town_b.schema_name):
        tasks.notify_new_post.delay(post.pk)
        assert not Notification.objects.filter(kind=NEW_POST).exists()
    with schema_context(town_a.schema_name):
        assert not Notification.objects.filter(kind=NEW_POST).exists()


def test_saving_the_same_choice_twice_changes_nothing(in_a) -> None:
    person = _follower(["courses", "animaux"])
    subscription = Subscription.objects.get(user=person)
    with CaptureQueriesContext(connection) as queries:
        services.save_subscription(
            person, categories=[category("animaux"), category("courses")], neighbourhoods=[]
        )
    assert not any(q["sql"].startswith(("INSERT", "DELETE")) for q in queries.captured_queries)
    assert set(subscription.categories.values_list("slug", flat=True)) == {"courses", "animaux"}


# --- The page ------------------------------------------------------------------------------


def test_the_page_saves_what_the_resident_follows(client_for, town_a, resident_a, places):
    client = client_for(town_a, resident_a)
    url = reverse("mutual_aid:following")
    page = client.get(url)
    assert page.status_code == 200 and "La Gare" in body(page)
    with schema_context(town_a.schema_name):
        courses = category("courses")
    response = client.post(url, {"categories": [courses.pk], "neighbourhoods": [places["gare"].pk]})
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        subscription = Subscription.objects.get(user=resident_a)
        assert list(subscription.categories.all()) == [courses]
        assert list(subscription.neighbourhoods.all()) == [places["gare"]]
    assert "checked" in body(client.get(url))


def test_an_unknown_category_is_refused(client_for, town_a, resident_a) -> None:
    response = client_for(town_a, resident_a).post(
        reverse("mutual_aid:following"), {"categories": ["999999"]}
    )
    assert response.status_code == 400
    with schema_context(town_a.schema_name):
        assert not Subscription.objects.filter(user=resident_a).exists()
