"""Lending an object: offering it, a neighbour asking for dates, the owner's answers, the return.

The one rule that matters: an object is never promised twice for overlapping dates. Every
write locks the object's post first, then re-reads the requests, so two acceptances at the same
instant are decided one after the other (PostgreSQL here has no btree_gist for an exclusion
constraint, and the lock is what makes the check hold).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from mutual_aid import kinds
from mutual_aid.exchanges.common import (
    ExchangeError,
    create_post,
    ensure_author,
    ensure_may_join,
    locked_post,
    name_of,
    tell,
)
from mutual_aid.models import LoanDetails, LoanRequest, Post
from mutual_aid.posting.photos import CheckedPhoto
from tenants import audit
from tenants.dates import long_date
from townsite.models import Neighbourhood

MAX_DEPOSIT = Decimal("99999.99")
MESSAGE_MAX = LoanRequest._meta.get_field("message").max_length or 500
Status = LoanRequest.Status


@transaction.atomic
def publish_loan(
    author: User,
    *,
    title: str,
    description: str,
    condition: str,
    deposit_required: bool,
    deposit_amount: Decimal | None,
    neighbourhood: Neighbourhood | None = None,
    photo: CheckedPhoto | None = None,
) -> Post:
    """Offer an object to lend: its post (in the lending category), its details and its photo
    (checked beforehand: posting.photos.check_photo) at once."""
    if condition not in LoanDetails.Condition.values:
        raise ExchangeError(_("Please choose the condition of the object from the list."))
    if deposit_required:
        if deposit_amount is None or not Decimal("0") < deposit_amount <= MAX_DEPOSIT:
            raise ExchangeError(_("Please give the amount of the deposit, in euros."))
    else:
        deposit_amount = None
    post = create_post(
        author,
        post_type=Post.Type.LOAN,
        title=title,
        description=description,
        neighbourhood=neighbourhood,
        photos=[photo] if photo is not None else [],
    )
    LoanDetails.objects.create(
        post=post,
        condition=condition,
        deposit_required=deposit_required,
        deposit_amount=deposit_amount,
    )
    return post


def overlapping(post: Post, start: date, end: date) -> QuerySet[LoanRequest]:
    """The requests of this object whose dates meet [start, end] (both days included)."""
    return LoanRequest.objects.filter(post=post, start_date__lte=end, end_date__gte=start)


def check_dates(start: date, end: date) -> None:
    if start < timezone.localdate():
        raise ExchangeError(_("The first day cannot be in the past."))
    if end < start:
        raise ExchangeError(_("The last day must be on or after the first day."))


def _period(loan: LoanRequest) -> str:
    return _("from %(start)s to %(end)s") % {
        "start": long_date(loan.start_date),
        "end": long_date(loan.end_date),
    }


@transaction.atomic
def ask_to_borrow(
    post: Post, by: User, *, start_date: date, end_date: date, message: str = ""
) -> LoanRequest:
    """A neighbour asks to borrow the object for these dates; the owner is told."""
    post = locked_post(post.pk, Post.Type.LOAN)
    ensure_may_join(by, post)
    check_dates(start_date, end_date)
    message = message.strip()
    if len(message) > MESSAGE_MAX:
        raise ExchangeError(
            _("Please write at most %(limit)s characters.") % {"limit": MESSAGE_MAX}
        )
    if overlapping(post, start_date, end_date).filter(status__in=LoanRequest.HOLDING).exists():
        raise ExchangeError(
            _("The object is already promised on some of these days: please choose other dates.")
        )
    mine = overlapping(post, start_date, end_date).filter(borrower=by, status=Status.REQUESTED)
    if mine.exists():
        raise ExchangeError(_("You have already asked for these dates."))
    loan = LoanRequest.objects.create(
        post=post, borrower=by, start_date=start_date, end_date=end_date, message=message
    )
    audit.record("loan.ask", actor=by, target=loan, target_label=post.title, after=_dates(loan))
    tell(
        post.author,
        kinds.LOAN.code,
        post,
        _("%(name)s asks to borrow “%(title)s” %(period)s")
        % {"name": name_of(by), "title": post.title, "period": _period(loan)},
        by,
    )
    return loan


def _locked_request(loan: LoanRequest) -> tuple[Post, LoanRequest]:
    """The object's post, then the request, each locked and re-read (always in this order)."""
    post = locked_post(loan.post_id, Post.Type.LOAN)
    return post, LoanRequest.objects.select_for_update().get(pk=loan.pk)


def _dates(loan: LoanRequest) -> dict[str, date]:
    return {"start_date": loan.start_date, "end_date": loan.end_date}


def _decide(
    loan: LoanRequest,
    *,
    post: Post,
    by: User,
    status: str,
    stamp: str,
    action: str,
    message: str,
) -> LoanRequest:
    loan.status = status
    setattr(loan, stamp, timezone.now())
    loan.save(update_fields=["status", stamp])
    audit.record(
        action,
        actor=by,
        target=loan,
        target_label=post.title,
        after=_dates(loan),
    )
    recipient = loan.borrower if by.pk == post.author_id else post.author
    tell(recipient, kinds.LOAN.code, post, message, by)
    return loan


@transaction.atomic
def accept_loan(loan: LoanRequest, *, by: User) -> LoanRequest:
    """The owner says yes: the dates are taken, unless another accepted loan already holds some
    of them (checked under the object's lock, so two acceptances cannot both pass)."""
    post, loan = _locked_request(loan)
    ensure_author(by, post)
    if loan.status == Status.ACCEPTED:
        return loan
    if loan.status != Status.REQUESTED:
        raise ExchangeError(_("This request is no longer waiting for an answer."))
    if loan.end_date < timezone.localdate():
        raise ExchangeError(_("The dates of this request are over."))
    clash = overlapping(post, loan.start_date, loan.end_date).filter(status__in=LoanRequest.HOLDING)
    if clash.exclude(pk=loan.pk).exists():
        raise ExchangeError(
            _("You have already accepted a loan on some of these days: decline this request.")
        )
    return _decide(
        loan,
        post=post,
        by=by,
        status=Status.ACCEPTED,
        stamp="decided_at",
        action="loan.accept",
        message=_("%(name)s agrees to lend you “%(title)s” %(period)s")
        % {"name": name_of(by), "title": post.title, "period": _period(loan)},
    )


@transaction.atomic
def refuse_loan(loan: LoanRequest, *, by: User) -> LoanRequest:
    """The owner says no (also after saying yes, as long as the object is not lent yet)."""
    post, loan = _locked_request(loan)
    ensure_author(by, post)
    if loan.status == Status.REFUSED:
        return loan
    if loan.status not in (Status.REQUESTED, Status.ACCEPTED):
        raise ExchangeError(_("This request can no longer be declined."))
    return _decide(
        loan,
        post=post,
        by=by,
        status=Status.REFUSED,
        stamp="decided_at",
        action="loan.refuse",
        message=_("%(name)s cannot lend you “%(title)s” %(period)s")
        % {"name": name_of(by), "title": post.title, "period": _period(loan)},
    )


@transaction.atomic
def mark_lent(loan: LoanRequest, *, by: User) -> LoanRequest:
    """The owner handed the object over."""
    post, loan = _locked_request(loan)
    ensure_author(by, post)
    if loan.status == Status.LENT:
        return loan
    if loan.status != Status.ACCEPTED:
        raise ExchangeError(_("Accept the request before marking the object as lent."))
    return _decide(
        loan,
        post=post,
        by=by,
        status=Status.LENT,
        stamp="lent_at",
        action="loan.lend",
        message=_("“%(title)s” is marked as lent to you, to give back on %(end)s")
        % {"title": post.title, "end": long_date(loan.end_date)},
    )


@transaction.atomic
def mark_returned(loan: LoanRequest, *, by: User) -> LoanRequest:
    """The owner got the object back: its dates are free again from today."""
    post, loan = _locked_request(loan)
    ensure_author(by, post)
    if loan.status == Status.RETURNED:
        return loan
    if loan.status != Status.LENT:
        raise ExchangeError(_("Only an object that is lent can be given back."))
    return _decide(
        loan,
        post=post,
        by=by,
        status=Status.RETURNED,
        stamp="returned_at",
        action="loan.return",
        message=_("%(name)s got “%(title)s” back. Thank you!")
        % {"name": name_of(by), "title": post.title},
    )


@transaction.atomic
def cancel_loan_request(loan: LoanRequest, *, by: User) -> LoanRequest:
    """The borrower changes their mind, as long as the object is not in their hands."""
    post, loan = _locked_request(loan)
    if loan.borrower_id != by.pk:
        raise ExchangeError(_("Only the person who asked can cancel this request."))
    if loan.status == Status.CANCELLED:
        return loan
    if loan.status not in (Status.REQUESTED, Status.ACCEPTED):
        raise ExchangeError(_("This request can no longer be cancelled."))
    return _decide(
        loan,
        post=post,
        by=by,
        status=Status.CANCELLED,
        stamp="decided_at",
        action="loan.cancel",
        message=_("%(name)s no longer needs “%(title)s” %(period)s")
        % {"name": name_of(by), "title": post.title, "period": _period(loan)},
    )


@dataclass(frozen=True)
class TakenPeriod:
    start: date
    end: date
    lent: bool


def taken_periods(post: Post) -> list[TakenPeriod]:
    """The dates the object is promised or out, from today on (the post's calendar)."""
    rows = (
        LoanRequest.objects.filter(
            post=post, status__in=LoanRequest.HOLDING, end_date__gte=timezone.localdate()
        )
        .order_by("start_date")
        .values_list("start_date", "end_date", "status")
    )
    return [TakenPeriod(start, end, status == Status.LENT) for start, end, status in rows]
