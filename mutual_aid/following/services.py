"""Following new posts: saving what a resident follows, and telling them of matching posts.

The fan-out is one task per published post (never one per resident): it walks the matching
residents with one query, a batch at a time, and writes each batch's notifications in one
insert. A batch already written is skipped when the task runs again (retry, duplicate).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from accounts.models import User
from mutual_aid import kinds
from mutual_aid.following.models import Subscription
from mutual_aid.models import Category, Post
from notifications.models import Notification
from notifications.services import notify_many
from townsite.models import Neighbourhood

BATCH_SIZE = 500
NEW_POST_TITLE = gettext_lazy("New in “%(category)s”: %(title)s")
NEW_POST_TITLE_PLACE = gettext_lazy("New in “%(category)s”, %(place)s: %(title)s")


def subscription_of(user: User) -> Subscription | None:
    return (
        Subscription.objects.filter(user=user)
        .prefetch_related("categories", "neighbourhoods")
        .first()
    )


@transaction.atomic
def save_subscription(
    user: User, *, categories: Iterable[Category], neighbourhoods: Iterable[Neighbourhood]
) -> Subscription:
    """Follow these categories in these places (none: the whole town). A personal choice,
    not an act of the town's staff: no audit row."""
    Subscription.objects.get_or_create(user=user)
    subscription = Subscription.objects.select_for_update().get(user=user)
    wanted_categories = {category.pk for category in categories}
    wanted_places = {place.pk for place in neighbourhoods}
    if set(subscription.categories.values_list("pk", flat=True)) != wanted_categories:
        subscription.categories.set(wanted_categories)
    if set(subscription.neighbourhoods.values_list("pk", flat=True)) != wanted_places:
        subscription.neighbourhoods.set(wanted_places)
    return subscription


def on_post_published(post: Post) -> None:
    """Called by publishing, in its transaction: the followers are told once it commits."""
    from mutual_aid.following.tasks import notify_new_post

    post_id = post.pk
    transaction.on_commit(lambda: notify_new_post.delay(post_id))


def followers_of(post: Post) -> QuerySet[User]:
    """The residents whose subscription matches the post, in one query: they follow its
    category, and its place or the whole town (a post with no place reaches every place).
    The author and inactive accounts are left out, and whoever was already told of it."""
    categories = Subscription.categories.through.objects.filter(subscription_id=OuterRef("pk"))
    places = Subscription.neighbourhoods.through.objects.filter(subscription_id=OuterRef("pk"))
    match = Subscription.objects.filter(
        Exists(categories.filter(category_id=post.category_id)), user_id=OuterRef("pk")
    )
    if post.neighbourhood_id is not None:
        match = match.filter(
            ~Exists(places) | Exists(places.filter(neighbourhood_id=post.neighbourhood_id))
        )
    told = Notification.objects.filter(
        recipient_id=OuterRef("pk"), kind=kinds.NEW_POST.code, url=post_url(post)
    )
    return (
        User.objects.filter(Exists(match), is_active=True)
        .exclude(Q(pk=post.author_id) | Exists(told))
        .order_by("pk")
    )


def post_url(post: Post) -> str:
    return reverse("mutual_aid:detail", args=[post.pk])


def tell_followers(post_id: int, *, batch_size: int = BATCH_SIZE) -> int:
    """Notify every follower of a published post; returns how many were told now."""
    post = (
        Post.objects.select_related("category", "neighbourhood", "author")
        .filter(pk=post_id)
        .first()
    )
    if post is None or not post.is_open:
        return 0  # deleted, hidden or closed before the task ran: nothing to announce
    with translation.override(settings.LANGUAGE_CODE):
        values = {"category": post.category.name, "title": post.title}
        if post.neighbourhood:
            title = str(NEW_POST_TITLE_PLACE) % {**values, "place": post.neighbourhood.name}
        else:
            title = str(NEW_POST_TITLE) % values
    told, after = 0, 0
    while True:
        with transaction.atomic():
            batch = list(followers_of(post).filter(pk__gt=after)[:batch_size])
            if not batch:
                return told
            notify_many(
                batch, kinds.NEW_POST.code, title=title, url=post_url(post), actor=post.author
            )
        told += len(batch)
        after = batch[-1].pk
