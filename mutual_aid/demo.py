"""The demo towns' mutual aid: neighbours, a few dozen posts across every category, photos,
conversations, help given with thanks, a loan, a carpool with bookings, a group purchase
half-way. Run by `seed_demo` (settings.DEMO_SEEDERS) in each demo town's schema.

Safe to run again: people are found by email, posts by author and title; what exists already
is left as it is. Everything is written by the module's services, as residents would.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from accounts.services import create_member
from mutual_aid import list_cache
from mutual_aid.conversations.services import mark_helped, send_message, start_conversation
from mutual_aid.demo_texts import (
    CARPOOL,
    GROUP_PURCHASE,
    LOAN,
    NEIGHBOURS,
    POSTS,
    REPORTED,
    REPORTED_BY,
    DemoPost,
)
from mutual_aid.exchanges.carpooling import book_seats, publish_carpool
from mutual_aid.exchanges.group_purchases import commit_quantity, publish_group_purchase
from mutual_aid.exchanges.lending import accept_loan, ask_to_borrow, publish_loan
from mutual_aid.models import POST_LIFETIME, Category, Conversation, LoanDetails, Message, Post
from mutual_aid.moderation import POST_KEY
from mutual_aid.posting.photos import check_photo
from mutual_aid.posting.services import publish_post
from tenants.models import Collectivite
from townsite.management.commands.seed_demo import DEMO_PASSWORD
from townsite.models import Neighbourhood
from townsite.moderation import reporting
from townsite.moderation.models import Reason


def demo_photo(colour: str, seed: int) -> bytes:
    """A small JPEG drawn with Pillow: a sky of the colour, a hill, a sun (no real photo)."""
    width, height = 480, 320
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((300 + seed % 5 * 20, 30, 380 + seed % 5 * 20, 110), fill=(255, 214, 92))
    draw.polygon([(0, 230), (160, 150 + seed % 3 * 15), (340, 210), (480, 170), (480, 320),
                  (0, 320)], fill=(235, 240, 230))  # fmt: skip
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _people(town: Collectivite) -> dict[str, User]:
    """The demo's people of this town (seed_demo's, found by email) and the extra neighbours."""
    people = {}
    for local_part, display_name in NEIGHBOURS:
        email = f"{local_part}@{town.slug}.example"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = create_member(email=email, display_name=display_name, password=DEMO_PASSWORD)
        people[local_part] = user
    for user in User.objects.filter(email__endswith=f"@{town.slug}.example"):
        people.setdefault(user.email.split("@")[0], user)
    return people


def _photo(colour: str, seed: int, description: str) -> tuple[SimpleUploadedFile, str]:
    upload = SimpleUploadedFile(f"demo-{seed}.jpg", demo_photo(colour, seed), "image/jpeg")
    return upload, description


class Seeder:
    """Everything goes through the module's services, as a resident's clicks would (checks,
    audit entries, notifications); only the dates are then moved into the past, so the demo
    has a history."""

    def __init__(self, town: Collectivite) -> None:
        self.now = timezone.now()
        self.people = _people(town)
        self.categories = {category.slug: category for category in Category.objects.all()}
        self.places = list(Neighbourhood.objects.all())
        self.created = 0

    def _exists(self, spec: DemoPost, title: str = "") -> bool:
        return Post.objects.filter(
            author=self.people[spec.author], title=title or spec.title
        ).exists()

    def _place(self, index: int) -> Neighbourhood | None:
        return self.places[index % len(self.places)] if self.places else None

    def _backdate(self, post: Post, spec: DemoPost, index: int) -> None:
        """The post written `days_ago` days ago (and open for 30 days from then). Called once
        the services are done with it: an old post no longer takes answers."""
        created_at = self.now - timedelta(days=spec.days_ago, hours=index % 7)
        moved = {"created_at": created_at}
        if post.type in (Post.Type.GENERAL, Post.Type.LOAN):
            moved["expires_at"] = created_at + POST_LIFETIME
        Post.objects.filter(pk=post.pk).update(**moved)
        self.created += 1

    def post(self, spec: DemoPost, index: int) -> Post | None:
        """The post, made with its photo, conversation and help; None if it exists already."""
        if self._exists(spec):
            return None
        post = publish_post(
            self.people[spec.author],
            kind=spec.kind,
            category=self.categories[spec.category],
            title=spec.title,
            description=spec.description,
            neighbourhood=self._place(index),
            when=spec.when,
            rhythm=spec.rhythm,
            photos=[_photo(spec.photo, index, spec.title)] if spec.photo else [],
        )
        self.answers(post, spec, index)
        self._backdate(post, spec, index)
        return post

    def answers(self, post: Post, spec: DemoPost, index: int) -> None:
        """Its conversation, then the help given (to someone who answered, as the page asks),
        dated from when the post will say it was written."""
        written = self.now - timedelta(days=spec.days_ago, hours=index % 7)
        if spec.respondent:
            self._conversation(post, written, self.people[spec.respondent], spec.messages)
        if spec.helped is None:
            return
        helper = self.people[spec.helped.helper]
        if helper.pk != (self.people[spec.respondent].pk if spec.respondent else None):
            first = (("r", "Bonjour, je peux vous aider : dites-moi quand cela vous arrange.", 3),)
            self._conversation(post, written, helper, first)
        author = self.people[spec.author]
        mark_helped(post, author, helper=helper, thanks=spec.helped.thanks, thanks_public=True)
        helped_at = (
            self.now - timedelta(hours=1)
            if spec.helped.after_days == 0
            else min(written + timedelta(days=spec.helped.after_days), self.now)
        )
        Post.objects.filter(pk=post.pk).update(helped_at=helped_at)

    def _conversation(
        self,
        post: Post,
        written: datetime,
        respondent: User,
        messages: tuple[tuple[str, str, int], ...],
    ) -> None:
        author = post.author
        assert author is not None  # just published by them
        (_, first, hours), *rest = messages
        conversation = start_conversation(post, respondent, body=first)
        times = [min(written + timedelta(hours=hours), self.now)]
        for who, body, hours in rest:
            send_message(conversation, author if who == "a" else respondent, body=body)
            times.append(min(written + timedelta(hours=hours), self.now))
        # The messages written at their hours after the post, the author having read them all.
        for message, at in zip(conversation.messages.order_by("pk"), times, strict=True):
            Message.objects.filter(pk=message.pk).update(created_at=at)
        Conversation.objects.filter(pk=conversation.pk).update(
            created_at=times[0],
            last_message_at=times[-1],
            author_read_at=times[-1],
            respondent_read_at=times[-1],
        )

    def loan(self) -> None:
        if self._exists(LOAN):
            return
        post = publish_loan(
            self.people[LOAN.author],
            title=LOAN.title,
            description=LOAN.description,
            condition=LoanDetails.Condition.GOOD,
            deposit_required=False,
            deposit_amount=None,
            neighbourhood=self._place(90),
            photo=check_photo(*_photo(LOAN.photo, 90, LOAN.title)),
        )
        self._backdate(post, LOAN, 90)
        today = timezone.localdate()
        accepted = ask_to_borrow(
            post,
            self.people["paul"],
            start_date=today + timedelta(days=1),
            end_date=today + timedelta(days=3),
            message="Pour fixer des étagères ce week-end, merci !",
        )
        accept_loan(accepted, by=self.people[LOAN.author])
        ask_to_borrow(
            post,
            self.people["yasmine"],
            start_date=today + timedelta(days=7),
            end_date=today + timedelta(days=8),
            message="Je la rendrai le lendemain.",
        )

    def carpool(self) -> None:
        departure, destination = "Place de la mairie", "Gare de Versailles-Chantiers"
        if self._exists(CARPOOL):
            return
        departs = timezone.localtime(self.now + timedelta(days=2)).replace(
            hour=7, minute=45, second=0, microsecond=0
        )
        post = publish_carpool(
            self.people[CARPOOL.author],
            departure=departure,
            destination=destination,
            departs_at=departs,
            seats=3,
            description=CARPOOL.description,
            neighbourhood=self._place(91),
        )
        self._backdate(post, CARPOOL, 91)
        book_seats(post, self.people["bernard"])
        book_seats(post, self.people["nadia"])

    def group_purchase(self) -> None:
        product = "Pommes (cagette de 5 kg)"
        if self._exists(GROUP_PURCHASE, product):
            return
        post = publish_group_purchase(
            self.people[GROUP_PURCHASE.author],
            product=product,
            supplier="Verger de la Mauldre",
            unit="cagette",
            unit_price=Decimal("9.50"),
            target_quantity=20,
            deadline=timezone.localdate() + timedelta(days=10),
            description=GROUP_PURCHASE.description,
            neighbourhood=self._place(92),
        )
        self._backdate(post, GROUP_PURCHASE, 92)
        # Half-way: 10 of the 20 cagettes.
        for local_part, quantity in (("helene", 3), ("marcel", 2), ("sophie", 4), ("jean", 1)):
            commit_quantity(post, self.people[local_part], quantity=quantity)

    def report(self) -> None:
        """A resident reports an advertisement, through moderation's own service."""
        post = self.post(REPORTED, 93)
        if post is None:
            return
        reporting.report(
            self.people[REPORTED_BY],
            POST_KEY,
            str(post.pk),
            reason=Reason.SPAM,
            details="Une entreprise qui fait sa publicité, ce n'est pas de l'entraide.",
        )


@transaction.atomic
def seed_town(town: Collectivite) -> int:
    """Seed the active schema's town; returns how many posts it created (0 the second time)."""
    seeder = Seeder(town)
    for index, spec in enumerate(POSTS):
        seeder.post(spec, index)
    seeder.loan()
    seeder.carpool()
    seeder.group_purchase()
    seeder.report()
    list_cache.bump()  # the dates moved by update(), which no signal sees
    return seeder.created
