"""The demo towns' mutual aid is lively: every category, photos, conversations, help given,
a loan, a carpool with bookings, a group purchase half-way; and running the demo twice adds
nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Sum
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from mutual_aid.models import (
    CarpoolDetails,
    Category,
    Commitment,
    Conversation,
    LoanRequest,
    Message,
    Photo,
    Post,
    SeatBooking,
)
from tenants.models import Collectivite
from tests.directory_sample import load_directory_sample
from tests.helpers import body
from townsite.moderation.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.MEDIA_ROOT = tmp_path
    yield tmp_path


def _snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Post, Photo, Conversation, Message, LoanRequest, SeatBooking, Commitment)
    } | {"User": User.objects.count()}


def test_the_demo_towns_get_a_lively_mutual_aid_once(media: Path, client_for) -> None:
    load_directory_sample()
    call_command("seed_demo", stdout=io.StringIO())
    towns = list(Collectivite.objects.filter(slug__in=["chavenay", "gally-mauldre"]))
    assert len(towns) == 2
    first = {}
    for town in towns:
        with schema_context(town.schema_name):
            first[town.slug] = _snapshot()
            assert first[town.slug]["Post"] >= 30
            used = set(Post.objects.values_list("category__slug", flat=True))
            assert used == set(Category.objects.values_list("slug", flat=True))
            assert first[town.slug]["Photo"] >= 5
            assert Photo.objects.earliest("pk").image.read()[:2] == b"\xff\xd8"  # a JPEG
            assert first[town.slug]["Message"] >= 20
            helped = Post.objects.filter(status=Post.Status.HELPED).exclude(thanks="")
            assert helped.count() >= 8
            assert helped.filter(helped_at__month=timezone.localdate().month).exists()
            statuses = set(LoanRequest.objects.values_list("status", flat=True))
            assert statuses == {LoanRequest.Status.REQUESTED, LoanRequest.Status.ACCEPTED}
            ride = CarpoolDetails.objects.get()
            assert ride.departs_at > timezone.now()
            assert SeatBooking.objects.filter(post=ride.post).count() == 2
            purchase = Post.objects.get(type=Post.Type.GROUP_PURCHASE)
            committed = purchase.commitments.aggregate(total=Sum("quantity"))["total"]
            assert committed * 2 == purchase.group_purchase.target_quantity  # half-way
            # Every conversation is between the post's author and someone else.
            assert not Conversation.objects.filter(respondent=F("author")).exists()
            assert not Conversation.objects.exclude(author=F("post__author")).exists()
            per_conversation = Conversation.objects.annotate(n=Count("messages"))
            assert all(conversation.n >= 1 for conversation in per_conversation)
            # One report waits in the moderators' queue, on a post.
            (report,) = Report.objects.filter(status=Report.Status.OPEN)
            assert report.target_kind == "annonce"
    call_command("seed_demo", stdout=io.StringIO())  # again: nothing added
    for town in towns:
        with schema_context(town.schema_name):
            assert _snapshot() == first[town.slug]
    # The demo's home page shows it, to a member.
    chavenay = next(town for town in towns if town.slug == "chavenay")
    with schema_context(chavenay.schema_name):
        camille = User.objects.get(email="camille@chavenay.example")
    home = body(client_for(chavenay, camille).get("/"))
    assert "Place de la mairie → Gare de Versailles-Chantiers" in home
    assert "Merci Thomas, montée en une heure" in home
