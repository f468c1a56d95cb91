"""Mutual aid in one town's schema: posts (offers and requests), the three kinds of exchange
that need more than a conversation (lending, carpooling, group purchases), and the private
conversations between the author of a post and the neighbours who answer it."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townsite.moderation.models import Moderated
from townsite.search import title_and_description_document

POST_LIFETIME = timedelta(days=30)
TITLE_MAX = 120
TEXT_MAX = 5000
MESSAGE_MAX = 4000
MAX_PHOTOS = 4


def default_expiry() -> object:
    return timezone.now() + POST_LIFETIME


class Category(models.Model):
    """What a post is about. Seeded in every town, then the town's to rename, order, switch off."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    icon = models.CharField(_("icon"), max_length=30, default="autre")
    position = models.PositiveIntegerField(_("order"), default=0)
    enabled = models.BooleanField(_("shown"), default=True)
    # Posts in a sensitive category show the safety notice and the help lines; the town may
    # let only verified residents answer them.
    sensitive = models.BooleanField(_("sensitive"), default=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class HelpLine(models.Model):
    """A national or local help line shown next to sensitive posts and conversations."""

    name = models.CharField(_("name"), max_length=120)
    number = models.CharField(_("number"), max_length=30)
    description = models.CharField(_("what it is for"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    enabled = models.BooleanField(_("shown"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("help line")

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class MutualAidSettings(models.Model):
    """The town's choices for its mutual aid (one row per schema)."""

    # Answering a post in a sensitive category: only residents the town has verified.
    sensitive_verified_only = models.BooleanField(
        _("only verified residents may answer sensitive posts"), default=False
    )
    # The goal a commune sets itself: residents active in the last 30 days.
    active_residents_goal = models.PositiveIntegerField(_("active residents goal"), default=200)

    def __str__(self) -> str:
        return "MutualAidSettings"

    @classmethod
    def load(cls) -> MutualAidSettings:
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class Post(Moderated):
    """An offer or a request of help, by a resident, open until it expires or is closed."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("Offer")
        REQUEST = "request", _("Request")

    class Type(models.TextChoices):
        GENERAL = "general", _("Help")
        LOAN = "loan", _("Object to lend")
        CARPOOL = "carpool", _("Carpool")
        GROUP_PURCHASE = "group_purchase", _("Group purchase")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        HELPED = "helped", _("Help given")

    class When(models.TextChoices):
        ANYTIME = "", _("Whenever suits")
        DATE = "date", _("On a date")
        PERIOD = "period", _("During a period")
        REGULAR = "regular", _("Regularly")

    kind = models.CharField(_("offer or request"), max_length=10, choices=Kind.choices)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.GENERAL)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="posts", verbose_name=_("category")
    )
    # Null once the author deleted their account: the post goes, conversations stay readable.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), max_length=TEXT_MAX)
    # A quartier, or on an intercommunalité's site a member commune (townsite.Neighbourhood).
    neighbourhood = models.ForeignKey(
        "townsite.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("neighbourhood"),
    )
    when = models.CharField(_("when"), max_length=10, choices=When.choices, blank=True)
    date_start = models.DateField(_("date"), null=True, blank=True)
    date_end = models.DateField(_("until"), null=True, blank=True)
    rhythm = models.CharField(_("how often"), max_length=120, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(default=default_expiry)
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Deleted by its author: gone from every list and page, its conversations stay readable.
    deleted_at = models.DateTimeField(null=True, blank=True)

    # Help given: when, to or by whom, and the author's public thanks (optional).
    helped_at = models.DateTimeField(null=True, blank=True)
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="helped_posts",
    )
    thanks = models.CharField(_("thanks"), max_length=500, blank=True)
    # The author chose to show the thanks on the post and the town's home page.
    thanks_public = models.BooleanField(_("thanks shown to all"), default=False)

    # French full-text search, accent-insensitive (see townsite.search), kept by PostgreSQL.
    search_document = title_and_description_document()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Without a pending list (fastupdate): posts are written one at a time and searched
            # often, and entries waiting in that list until the next vacuum make PostgreSQL
            # judge the index too costly and read the whole table instead.
            GinIndex(fields=["search_document"], name="mutual_aid_post_search", fastupdate=False),
            models.Index(fields=["-created_at", "-id"], name="mutual_aid_post_newest"),
            models.Index(fields=["author", "-created_at"], name="mutual_aid_post_author"),
            models.Index(fields=["category", "-created_at"], name="mutual_aid_post_category"),
            # The browse page counts the open posts on every request (its pagination): an
            # index-only scan of the open ones instead of reading the whole table.
            models.Index(
                fields=["expires_at"],
                name="mutual_aid_post_open",
                condition=models.Q(status="open", deleted_at__isnull=True, hidden_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.OPEN and self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.deleted_at is None
            and self.hidden_at is None
            and not self.is_expired
        )


class Photo(models.Model):
    """A photo of a post, re-encoded without its metadata, served only to who may see the post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        upload_to="mutual_aid/photos/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    description = models.CharField(_("description of the photo"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"Photo {self.pk} of post {self.post_id}"


class LoanDetails(models.Model):
    """What an object to lend is like."""

    class Condition(models.TextChoices):
        NEW = "new", _("As new")
        GOOD = "good", _("Good condition")
        USED = "used", _("Used")

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="loan")
    condition = models.CharField(
        _("condition"), max_length=10, choices=Condition.choices, default=Condition.GOOD
    )
    deposit_required = models.BooleanField(_("deposit asked"), default=False)
    deposit_amount = models.DecimalField(
        _("deposit (€)"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    def __str__(self) -> str:
        return f"Loan details of {self.post_id}"


class LoanRequest(models.Model):
    """A neighbour asks to borrow an object for dates; the owner accepts, lends, gets it back."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Asked")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Declined")
        LENT = "lent", _("Lent")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    # The statuses during which the object is taken for the dates (no other loan may overlap).
    HOLDING = (Status.ACCEPTED, Status.LENT)

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="loan_requests")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="loan_requests"
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    message = models.CharField(_("message"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    lent_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="mutual_aid_loan_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"Loan of {self.post_id} {self.start_date}..{self.end_date}"


class CarpoolDetails(models.Model):
    """A ride: from, to, when, how many seats."""

    class Recurrence(models.TextChoices):
        ONCE = "once", _("Once")
        WEEKLY = "weekly", _("Every week")

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="carpool")
    departure = models.CharField(_("departure"), max_length=120)
    destination = models.CharField(_("destination"), max_length=120)
    departs_at = models.DateTimeField(_("date and time"))
    seats = models.PositiveSmallIntegerField(_("seats offered"))
    recurrence = models.CharField(
        _("how often"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats__gte=1, seats__lte=8), name="mutual_aid_carpool_seats"
            )
        ]

    def __str__(self) -> str:
        return f"{self.departure} → {self.destination}"


class SeatBooking(models.Model):
    """Seats a passenger booked in a carpool; the driver may refuse them."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        REFUSED = "refused", _("Declined by the driver")
        CANCELLED = "cancelled", _("Cancelled")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="seat_bookings")
    passenger = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="seat_bookings"
    )
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "passenger"],
                condition=models.Q(status="booked"),
                name="mutual_aid_one_booking_per_passenger",
            ),
            models.CheckConstraint(
                condition=models.Q(seats__gte=1), name="mutual_aid_seats_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seats} seat(s) on {self.post_id}"


class GroupPurchaseDetails(models.Model):
    """Buying together: a product, its price, the quantity to reach by a deadline."""

    class Outcome(models.TextChoices):
        PENDING = "", _("Open")
        REACHED = "reached", _("Target reached, the purchase goes ahead")
        CANCELLED = "cancelled", _("Cancelled")

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="group_purchase")
    product = models.CharField(_("product"), max_length=120)
    supplier = models.CharField(_("local shop or producer"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=30, default="", blank=True)
    unit_price = models.DecimalField(_("unit price (€)"), max_digits=8, decimal_places=2)
    target_quantity = models.PositiveIntegerField(_("target quantity"))
    deadline = models.DateField(_("deadline"))
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.product


class Commitment(models.Model):
    """The units a resident commits to buy in a group purchase (editable until the deadline)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="commitments")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commitments"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "resident"], name="mutual_aid_one_commitment"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="mutual_aid_commitment_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} on {self.post_id}"


class Conversation(models.Model):
    """The private exchange between a post's author and one neighbour who answered it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="conversations")
    # Kept with the conversation: the post may be deleted or its author gone.
    post_title = models.CharField(max_length=TITLE_MAX)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)
    author_read_at = models.DateTimeField(null=True, blank=True)
    respondent_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "respondent"], name="mutual_aid_one_conversation_per_respondent"
            )
        ]
        indexes = [
            models.Index(fields=["author", "-last_message_at"], name="mutual_aid_conv_author"),
            models.Index(fields=["respondent", "-last_message_at"], name="mutual_aid_conv_resp"),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} on {self.post_id}"


class Message(Moderated):
    """One message of a conversation."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"), max_length=MESSAGE_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="mutual_aid_msg_conv")]

    def __str__(self) -> str:
        return f"Message {self.pk}"


# New-post subscriptions live with their feature (mutual_aid.following), in this app.
from mutual_aid.following.models import Subscription  # noqa: E402, F401
