"""A resident's mutual aid data: exported on request, taken down when they leave, without
taking away the neighbour's conversation."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django_tenants.utils import schema_context
from PIL import Image

from accounts.models import User
from mutual_aid.access import conversations_for
from mutual_aid.factories import (
    ConversationFactory,
    MessageFactory,
    PostFactory,
    SeatBookingFactory,
)
from mutual_aid.models import Photo, Post, SeatBooking
from tenants.models import Collectivite
from townsite.residents.services import delete_account

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(picture, "JPEG")
    return picture.getvalue()


def test_the_export_has_my_posts_and_both_sides_of_my_conversations(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        post = PostFactory.create(author=resident_a, title="Je promène les chiens")
        PostFactory.create(title="Someone else's post")
        conversation = ConversationFactory.create(post=post)
        MessageFactory.create(conversation=conversation, body="Bonjour, le mardi ?")
        MessageFactory.create(conversation=conversation, sender=resident_a, body="Oui, à 10 h.")
    response = client_for(town_a, resident_a).get("/mon-compte/donnees/")
    data = json.loads(response.content)
    assert [item["title"] for item in data["mutual_aid_posts"]] == ["Je promène les chiens"]
    (exported,) = data["mutual_aid_conversations"]
    assert exported["my_role"] == "author"
    assert [(m["from_me"], m["body"]) for m in exported["messages"]] == [
        (False, "Bonjour, le mardi ?"),
        (True, "Oui, à 10 h."),
    ]


def test_leaving_takes_my_posts_down_and_leaves_my_neighbour_the_conversation(
    town_a: Collectivite, resident_a: User, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        post = PostFactory.create(author=resident_a, description="Mon numéro est dans mon profil")
        photo = Photo.objects.create(post=post, image=ContentFile(_jpeg(), name="chien.jpg"))
        storage, name = photo.image.storage, str(photo.image.name)
        assert storage.exists(name)
        conversation = ConversationFactory.create(post=post)
        MessageFactory.create(conversation=conversation, sender=resident_a, body="Merci !")
        ride = SeatBookingFactory.create(passenger=resident_a)
        neighbour = conversation.respondent

        with django_capture_on_commit_callbacks(execute=True):
            delete_account(User.objects.get(pk=resident_a.pk))

        post = Post.objects.get(pk=post.pk)
        assert post.deleted_at is not None
        assert post.description == ""
        assert post.author is None
        assert not Photo.objects.filter(post=post).exists()
        assert not storage.exists(name)
        kept = conversations_for(neighbour).get()
        assert kept.post_title == post.title
        assert [(m.sender, m.body) for m in kept.messages.all()][-1] == (None, "Merci !")
        assert SeatBooking.objects.get(pk=ride.pk).status == SeatBooking.Status.CANCELLED
