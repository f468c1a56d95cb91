"""Group purchases: an organiser sets a product, a price and a target; residents commit a
quantity until the deadline; the organiser closes it and everyone committed hears the outcome.

Every write locks the purchase's post first: a commitment cannot slip in while it is closed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from mutual_aid import access, kinds
from mutual_aid.exchanges.common import (
    ExchangeError,
    clean_text,
    create_post,
    ensure_author,
    ensure_may_join,
    locked_post,
    name_of,
    post_url,
    tell,
)
from mutual_aid.models import POST_LIFETIME, Commitment, GroupPurchaseDetails, Post
from notifications.services import notify_many
from tenants import audit
from townsite.models import Neighbourhood

MAX_QUANTITY = 9999
MAX_TARGET = 99999
MAX_PRICE = Decimal("999999.99")
Outcome = GroupPurchaseDetails.Outcome


def _limit(field: str) -> int:
    return int(getattr(GroupPurchaseDetails._meta.get_field(field), "max_length", 0) or 120)


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


@transaction.atomic
def publish_group_purchase(
    author: User,
    *,
    product: str,
    unit_price: Decimal,
    target_quantity: int,
    deadline: datetime.date,
    supplier: str = "",
    unit: str = "",
    description: str = "",
    neighbourhood: Neighbourhood | None = None,
) -> Post:
    """Start a group purchase: its post (titled by the product) and its details at once."""
    product = clean_text(
        product, limit=_limit("product"), required=True, missing=_("Please name the product.")
    )
    supplier = clean_text(supplier, limit=_limit("supplier"), required=False, missing="")
    unit = clean_text(unit, limit=_limit("unit"), required=False, missing="")
    if not Decimal("0") < unit_price <= MAX_PRICE:
        raise ExchangeError(_("Please give a price above 0 €."))
    if not 1 <= target_quantity <= MAX_TARGET:
        raise ExchangeError(_("Please give a target between 1 and %(max)s.") % {"max": MAX_TARGET})
    if deadline < timezone.localdate():
        raise ExchangeError(_("The deadline cannot be in the past."))
    post = create_post(
        author,
        post_type=Post.Type.GROUP_PURCHASE,
        title=product,
        description=description,
        neighbourhood=neighbourhood,
        when=Post.When.DATE,
        date_start=deadline,
        # Still listed until its deadline, however far (the organiser closes it after).
        expires_at=max(timezone.now() + POST_LIFETIME, _end_of(deadline)),
    )
    GroupPurchaseDetails.objects.create(
        post=post,
        product=product,
        supplier=supplier,
        unit=unit,
        unit_price=unit_price,
        target_quantity=target_quantity,
        deadline=deadline,
    )
    return post


@dataclass(frozen=True)
class Progress:
    total: int
    target: int
    people: int

    @property
    def percent(self) -> int:
        return min(100, self.total * 100 // self.target) if self.target else 0

    @property
    def reached(self) -> bool:
        return self.total >= self.target


def progress(post: Post, details: GroupPurchaseDetails | None = None) -> Progress:
    details = details or GroupPurchaseDetails.objects.get(post=post)
    found = Commitment.objects.filter(post=post).aggregate(
        total=Sum("quantity"), people=Count("pk")
    )
    return Progress(int(found["total"] or 0), details.target_quantity, int(found["people"]))


def _locked_open(post: Post, by: User) -> tuple[Post, GroupPurchaseDetails]:
    """The purchase, locked, if `by` may still commit to it (the organiser too)."""
    post = locked_post(post.pk, Post.Type.GROUP_PURCHASE)
    details = GroupPurchaseDetails.objects.get(post=post)
    access.ensure_may_contribute(by)
    if details.closed_at is not None or post.status != Post.Status.OPEN:
        raise ExchangeError(_("This group purchase is closed."))
    if details.deadline < timezone.localdate():
        raise ExchangeError(_("The deadline of this group purchase has passed."))
    if post.author_id != by.pk:
        ensure_may_join(by, post)
    return post, details


def _quantity_text(quantity: int, details: GroupPurchaseDetails) -> str:
    return f"{quantity} {details.unit}".strip()


@transaction.atomic
def commit_quantity(post: Post, by: User, *, quantity: int) -> Commitment:
    """Commit to buy `quantity` units, or change the quantity already committed."""
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ExchangeError(
            _("Please give a whole number between 1 and {max}.").format(max=MAX_QUANTITY)
        )
    post, details = _locked_open(post, by)
    commitment = Commitment.objects.select_for_update().filter(post=post, resident=by).first()
    if commitment is not None and commitment.quantity == quantity:
        return commitment
    if commitment is None:
        commitment = Commitment.objects.create(post=post, resident=by, quantity=quantity)
        audit.record(
            "purchase.commit",
            actor=by,
            target=commitment,
            target_label=post.title,
            after={"quantity": quantity},
        )
    else:
        before = commitment.quantity
        commitment.quantity = quantity
        commitment.save(update_fields=["quantity", "updated_at"])
        audit.record(
            "purchase.change",
            actor=by,
            target=commitment,
            target_label=post.title,
            before={"quantity": before},
            after={"quantity": quantity},
        )
    now = progress(post, details)
    tell(
        post.author,
        kinds.GROUP_PURCHASE.code,
        post,
        _("%(name)s commits to %(quantity)s for “%(title)s” (%(total)s of %(target)s)")
        % {
            "name": name_of(by),
            "quantity": _quantity_text(quantity, details),
            "title": post.title,
            "total": now.total,
            "target": now.target,
        },
        by,
    )
    return commitment


@transaction.atomic
def withdraw_commitment(post: Post, by: User) -> None:
    """Take one's commitment back, until the deadline."""
    post, details = _locked_open(post, by)
    commitment = Commitment.objects.select_for_update().filter(post=post, resident=by).first()
    if commitment is None:
        return
    quantity = commitment.quantity
    commitment.delete()
    audit.record(
        "purchase.withdraw",
        actor=by,
        target=post,
        target_label=post.title,
        before={"quantity": quantity},
    )
    tell(
        post.author,
        kinds.GROUP_PURCHASE.code,
        post,
        _("%(name)s no longer takes part in “%(title)s”")
        % {"name": name_of(by), "title": post.title},
        by,
    )


@transaction.atomic
def close_purchase(post: Post, *, by: User, go_ahead: bool) -> GroupPurchaseDetails:
    """The organiser closes the purchase: it goes ahead (only once the target is reached) or
    it is cancelled; everyone committed is told which."""
    post = locked_post(post.pk, Post.Type.GROUP_PURCHASE)
    ensure_author(by, post)
    details = GroupPurchaseDetails.objects.select_for_update().get(post=post)
    if details.closed_at is not None:
        return details
    reached = progress(post, details)
    if go_ahead and not reached.reached:
        raise ExchangeError(
            _("The target is not reached yet (%(total)s of %(target)s): you can cancel instead.")
            % {"total": reached.total, "target": reached.target}
        )
    now = timezone.now()
    details.outcome = Outcome.REACHED if go_ahead else Outcome.CANCELLED
    details.closed_at = now
    details.save(update_fields=["outcome", "closed_at"])
    post.status = Post.Status.CLOSED
    post.closed_at = now
    post.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(
        "purchase.close",
        actor=by,
        target=post,
        target_label=post.title,
        after={
            "goes_ahead": go_ahead,
            "quantity": reached.total,
            "target_quantity": reached.target,
        },
    )
    if go_ahead:
        title = _("The group purchase “%(title)s” goes ahead: the target is reached.")
    else:
        title = _("The group purchase “%(title)s” is cancelled.")
    committed = User.objects.filter(commitments__post=post)
    notify_many(
        list(committed),
        kinds.GROUP_PURCHASE.code,
        title=title % {"title": post.title},
        url=post_url(post),
        actor=by,
    )
    return details
