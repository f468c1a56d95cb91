"""Mutual aid in the town's moderation queue: a reported post or message, hidden by a
moderator, and a suspended resident's posts taken down and brought back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context

from accounts.models import User
from mutual_aid.access import NotAllowed, ensure_may_contribute, listed_posts
from mutual_aid.factories import ConversationFactory, MessageFactory, PostFactory
from mutual_aid.models import Message, Post
from tenants.models import Collectivite
from tests.helpers import body
from townsite.moderation import reporting, services
from townsite.moderation.models import Report

pytestmark = pytest.mark.django_db


def test_a_reported_post_hidden_by_a_moderator_leaves_the_list(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    moderator_a: User,
    django_capture_on_commit_callbacks,
) -> None:
    with schema_context(town_a.schema_name):
        post = PostFactory.create(title="Vends des cigarettes")
        reporter = client_for(town_a, resident_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = reporter.post(
                reverse("townsite:report", kwargs={"kind": "annonce", "target_id": post.pk}),
                {"reason": "spam", "details": ""},
            )
        assert response.status_code == 200
        assert "townsite/moderation/report_done.html" in [t.name for t in response.templates]
        report = Report.objects.get()
        assert (report.target_kind, report.target_author) == ("annonce", post.author)
        queue = body(client_for(town_a, moderator_a).get(reverse("townsite:moderation_queue")))
        assert "Vends des cigarettes" in queue
        with django_capture_on_commit_callbacks(execute=True):
            services.hide_content(moderator_a, "annonce", str(post.pk), reason="Hors charte")
        assert not listed_posts(resident_a).filter(pk=post.pk).exists()
        assert Post.objects.get(pk=post.pk).hidden_by == moderator_a
    listing = body(client_for(town_a, resident_a).get(reverse("mutual_aid:list")))
    assert "Vends des cigarettes" not in listing


def test_only_the_two_people_of_a_conversation_can_report_its_messages(
    town_a: Collectivite, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        message = MessageFactory.create(body="Un message insultant")
        recipient = message.conversation.author
        assert recipient is not None
        report = reporting.report(recipient, "message", str(message.pk), reason="harassment")
        assert report.excerpt == "Un message insultant"
        with pytest.raises((Http404, PermissionDenied)):
            reporting.report(resident_a, "message", str(message.pk), reason="harassment")


def test_a_suspended_resident_posts_nothing_and_their_posts_come_back_after(
    town_a: Collectivite, resident_a: User, moderator_a: User
) -> None:
    with schema_context(town_a.schema_name):
        post = PostFactory.create(author=resident_a)
        conversation = ConversationFactory.create()
        message = MessageFactory.create(conversation=conversation, sender=resident_a)
        services.suspend_resident(moderator_a, "personne", str(resident_a.pk), reason="Menaces")
        with pytest.raises(NotAllowed, match="suspendu"):
            ensure_may_contribute(User.objects.get(pk=resident_a.pk))
        assert Post.objects.get(pk=post.pk).hidden_with_suspension
        assert Message.objects.get(pk=message.pk).hidden_at is not None
        services.lift_suspension(moderator_a, resident_a.pk, reason="Excuses")
        assert Post.objects.get(pk=post.pk).hidden_at is None
        ensure_may_contribute(User.objects.get(pk=resident_a.pk))
