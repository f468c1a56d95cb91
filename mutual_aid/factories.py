"""Test and demo data for mutual aid, in the active town schema."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.factories import UserFactory
from mutual_aid.models import (
    CarpoolDetails,
    Category,
    Commitment,
    Conversation,
    GroupPurchaseDetails,
    LoanDetails,
    LoanRequest,
    Message,
    Post,
    SeatBooking,
)


def category(slug: str = "autre") -> Category:
    """A seeded category (every schema has them from migration 0002)."""
    return Category.objects.get(slug=slug)


class PostFactory(factory.django.DjangoModelFactory[Post]):
    class Meta:
        model = Post

    kind = Post.Kind.OFFER
    category = factory.LazyFunction(category)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Coup de main n° {n}")
    description = "Je peux aider le samedi matin."


class LoanPostFactory(PostFactory):
    class Meta:
        # The details are saved by their own factory: the post needs no second save.
        skip_postgeneration_save = True

    type = Post.Type.LOAN
    category = factory.LazyFunction(lambda: category("pret-objets"))
    title = factory.Sequence(lambda n: f"Perceuse n° {n}")
    loan = factory.RelatedFactory(
        "mutual_aid.factories.LoanDetailsFactory", factory_related_name="post"
    )


class LoanDetailsFactory(factory.django.DjangoModelFactory[LoanDetails]):
    class Meta:
        model = LoanDetails

    post = factory.SubFactory(LoanPostFactory, loan=None)


class LoanRequestFactory(factory.django.DjangoModelFactory[LoanRequest]):
    class Meta:
        model = LoanRequest

    post = factory.SubFactory(LoanPostFactory)
    borrower = factory.SubFactory(UserFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=2))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=3))


class CarpoolPostFactory(PostFactory):
    class Meta:
        # The details are saved by their own factory: the post needs no second save.
        skip_postgeneration_save = True

    type = Post.Type.CARPOOL
    category = factory.LazyFunction(lambda: category("covoiturage"))
    title = factory.Sequence(lambda n: f"Trajet vers la gare n° {n}")
    carpool = factory.RelatedFactory(
        "mutual_aid.factories.CarpoolDetailsFactory", factory_related_name="post"
    )


class CarpoolDetailsFactory(factory.django.DjangoModelFactory[CarpoolDetails]):
    class Meta:
        model = CarpoolDetails

    post = factory.SubFactory(CarpoolPostFactory, carpool=None)
    departure = "Place de la mairie"
    destination = "Gare de Versailles-Chantiers"
    departs_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    seats = 3


class SeatBookingFactory(factory.django.DjangoModelFactory[SeatBooking]):
    class Meta:
        model = SeatBooking

    post = factory.SubFactory(CarpoolPostFactory)
    passenger = factory.SubFactory(UserFactory)
    seats = 1


class GroupPurchasePostFactory(PostFactory):
    class Meta:
        # The details are saved by their own factory: the post needs no second save.
        skip_postgeneration_save = True

    type = Post.Type.GROUP_PURCHASE
    category = factory.LazyFunction(lambda: category("achat-groupe"))
    title = factory.Sequence(lambda n: f"Pommes du verger n° {n}")
    group_purchase = factory.RelatedFactory(
        "mutual_aid.factories.GroupPurchaseDetailsFactory", factory_related_name="post"
    )


class GroupPurchaseDetailsFactory(factory.django.DjangoModelFactory[GroupPurchaseDetails]):
    class Meta:
        model = GroupPurchaseDetails

    post = factory.SubFactory(GroupPurchasePostFactory, group_purchase=None)
    product = "Pommes (cagette de 5 kg)"
    supplier = "Verger de la Mauldre"
    unit = "cagette"
    unit_price = Decimal("9.50")
    target_quantity = 20
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))


class CommitmentFactory(factory.django.DjangoModelFactory[Commitment]):
    class Meta:
        model = Commitment

    post = factory.SubFactory(GroupPurchasePostFactory)
    resident = factory.SubFactory(UserFactory)
    quantity = 2


class ConversationFactory(factory.django.DjangoModelFactory[Conversation]):
    class Meta:
        model = Conversation

    post = factory.SubFactory(PostFactory)
    post_title = factory.LazyAttribute(lambda o: o.post.title)
    author = factory.LazyAttribute(lambda o: o.post.author)
    respondent = factory.SubFactory(UserFactory)


class MessageFactory(factory.django.DjangoModelFactory[Message]):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    sender = factory.LazyAttribute(lambda o: o.conversation.respondent)
    body = "Bonjour, je peux vous aider samedi."
