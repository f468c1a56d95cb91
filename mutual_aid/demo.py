"""The demo towns' mutual aid: neighbours, a few dozen posts across every category, photos,
conversations, help given with thanks, a loan, a carpool with bookings, a group purchase
half-way. Run by `seed_demo` (settings.DEMO_SEEDERS) in each demo town's schema.

Safe to run again: people are found by email, posts by author and title; what exists already
is left as it is. It writes through the models for now: see the report of issue 9 for which
creations move to the mutual aid services once they exist.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from accounts.services import create_member
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
from mutual_aid.models import (
    CarpoolDetails,
    Category,
    Commitment,
    Conversation,
    GroupPurchaseDetails,
    LoanDetails,
    LoanRequest,
    Message,
    Photo,
    Post,
    SeatBooking,
)
from mutual_aid.moderation import POST_KEY
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


class Seeder:
    def __init__(self, town: Collectivite) -> None:
        self.now = timezone.now()
        self.people = _people(town)
        self.categories = {category.slug: category for category in Category.objects.all()}
        self.places = list(Neighbourhood.objects.all())
        self.created = 0

    def post(self, spec: DemoPost, index: int, **fields: object) -> Post | None:
        """The post, made with its photo, conversation and help; None if it exists already."""
        author = self.people[spec.author]
        if Post.objects.filter(author=author, title=spec.title).exists():
            return None
        created_at = self.now - timedelta(days=spec.days_ago, hours=index % 7)
        post = Post.objects.create(
            kind=spec.kind,
            category=self.categories[spec.category],
            author=author,
            title=spec.title,
            description=spec.description,
            neighbourhood=self.places[index % len(self.places)] if self.places else None,
            when=spec.when,
            rhythm=spec.rhythm,
            created_at=created_at,
            expires_at=created_at + timedelta(days=30),
            **fields,
        )
        self.created += 1
        if spec.photo:
            Photo.objects.create(
                post=post,
                image=ContentFile(demo_photo(spec.photo, index), name=f"demo-{post.pk}.jpg"),
                description=spec.title,
            )
        if spec.respondent:
            self._conversation(post, spec)
        if spec.helped:
            helped_at = (
                self.now - timedelta(hours=1)
                if spec.helped.after_days == 0
                else created_at + timedelta(days=spec.helped.after_days)
            )
            post.status = Post.Status.HELPED
            post.helped_at = helped_at
            post.helper = self.people[spec.helped.helper]
            post.thanks = spec.helped.thanks
            post.thanks_public = True
            post.save(update_fields=["status", "helped_at", "helper", "thanks", "thanks_public"])
        return post

    def _conversation(self, post: Post, spec: DemoPost) -> None:
        respondent = self.people[spec.respondent]
        conversation = Conversation.objects.create(
            post=post, post_title=post.title, author=post.author, respondent=respondent
        )
        last = post.created_at
        for who, body, hours in spec.messages:
            last = post.created_at + timedelta(hours=hours)
            Message.objects.create(
                conversation=conversation,
                sender=post.author if who == "a" else respondent,
                body=body,
                created_at=min(last, self.now),
            )
        conversation.created_at = post.created_at + timedelta(hours=spec.messages[0][2])
        conversation.last_message_at = min(last, self.now)
        conversation.author_read_at = conversation.last_message_at
        conversation.save(update_fields=["created_at", "last_message_at", "author_read_at"])

    def loan(self) -> None:
        post = self.post(LOAN, 90, type=Post.Type.LOAN)
        if post is None:
            return
        LoanDetails.objects.create(
            post=post, condition=LoanDetails.Condition.GOOD, deposit_required=False
        )
        today = timezone.localdate()
        LoanRequest.objects.create(
            post=post,
            borrower=self.people["paul"],
            start_date=today + timedelta(days=1),
            end_date=today + timedelta(days=3),
            message="Pour fixer des étagères ce week-end, merci !",
            status=LoanRequest.Status.ACCEPTED,
            decided_at=self.now - timedelta(hours=5),
        )
        LoanRequest.objects.create(
            post=post,
            borrower=self.people["yasmine"],
            start_date=today + timedelta(days=7),
            end_date=today + timedelta(days=8),
            message="Je la rendrai le lendemain.",
        )

    def carpool(self) -> None:
        post = self.post(CARPOOL, 91, type=Post.Type.CARPOOL)
        if post is None:
            return
        departs = timezone.localtime(self.now + timedelta(days=2)).replace(
            hour=7, minute=45, second=0, microsecond=0
        )
        CarpoolDetails.objects.create(
            post=post,
            departure="Place de la mairie",
            destination="Gare de Versailles-Chantiers",
            departs_at=departs,
            seats=3,
        )
        SeatBooking.objects.create(post=post, passenger=self.people["bernard"], seats=1)
        SeatBooking.objects.create(post=post, passenger=self.people["nadia"], seats=1)

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

    def group_purchase(self) -> None:
        post = self.post(GROUP_PURCHASE, 92, type=Post.Type.GROUP_PURCHASE)
        if post is None:
            return
        GroupPurchaseDetails.objects.create(
            post=post,
            product="Pommes (cagette de 5 kg)",
            supplier="Verger de la Mauldre",
            unit="cagette",
            unit_price=Decimal("9.50"),
            target_quantity=20,
            deadline=timezone.localdate() + timedelta(days=10),
        )
        # Half-way: 10 of the 20 cagettes.
        for local_part, quantity in (("helene", 3), ("marcel", 2), ("sophie", 4), ("jean", 1)):
            Commitment.objects.create(
                post=post, resident=self.people[local_part], quantity=quantity
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
    return seeder.created
