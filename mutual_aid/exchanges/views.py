"""Exchange pages: offering an object, a ride or a group purchase, and taking part in one.

Thin views: a form parses what was typed, one service of lending, carpooling or
group_purchases writes, and a refusal comes back in French with nothing typed lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mutual_aid.access import NotAllowed, ensure_may_contribute, module_required
from mutual_aid.exchanges import carpooling, group_purchases, lending
from mutual_aid.exchanges.access import (
    get_exchange_post_for,
    get_loan_request_for,
    get_seat_booking_for,
)
from mutual_aid.exchanges.common import ExchangeError, post_url
from mutual_aid.exchanges.forms import (
    BookSeatsForm,
    BorrowForm,
    CommitForm,
    NewCarpoolForm,
    NewGroupPurchaseForm,
    NewLoanForm,
)
from mutual_aid.models import Post

GET_POST = ("GET", "POST")
NEW_TEMPLATE = "mutual_aid/exchanges/new.html"
Refusal = (ExchangeError, NotAllowed)


def _page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    return module_required(login_required(view))


def _refusal(user: Any) -> str:
    try:
        ensure_may_contribute(user)
    except NotAllowed as refused:
        return refused.message
    return ""


def _new_exchange(
    request: HttpRequest,
    form_class: type[forms.Form],
    texts: tuple[str | Promise, str | Promise],
    publish: Callable[[dict[str, Any]], Post],
) -> HttpResponse:
    """A new exchange's page: the form, then one service writes the post and its details."""
    page = {"heading": texts[0], "intro": texts[1]}
    refused = _refusal(request.user)
    if refused:
        return render(request, NEW_TEMPLATE, {**page, "refused": refused}, status=403)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                post = publish(form.cleaned_data)
            except Refusal as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your post is published."))
                return redirect("mutual_aid:detail", post.pk)
        status = 400
    else:
        form = form_class()
    return render(request, NEW_TEMPLATE, {**page, "form": form}, status=status)


@_page
@require_http_methods(GET_POST)
def new_loan(request: HttpRequest) -> HttpResponse:
    return _new_exchange(
        request,
        NewLoanForm,
        (
            gettext_lazy("Lend an object"),
            gettext_lazy(
                "Neighbours will ask you to borrow it for a few days. You choose who, and when."
            ),
        ),
        lambda data: lending.publish_loan(
            request.user,  # type: ignore[arg-type]
            title=data["title"],
            description=data["description"],
            condition=data["condition"],
            deposit_required=data["deposit_required"],
            deposit_amount=data["deposit_amount"],
            neighbourhood=data.get("neighbourhood"),
            photo=data.get("photo") or None,
        ),
    )


@_page
@require_http_methods(GET_POST)
def new_carpool(request: HttpRequest) -> HttpResponse:
    return _new_exchange(
        request,
        NewCarpoolForm,
        (
            gettext_lazy("Offer a ride"),
            gettext_lazy("Neighbours book a seat in your car. You see who comes along."),
        ),
        lambda data: carpooling.publish_carpool(
            request.user,  # type: ignore[arg-type]
            departure=data["departure"],
            destination=data["destination"],
            departs_at=data["departs_at"],
            seats=data["seats"],
            recurrence=data["recurrence"],
            description=data["description"],
            neighbourhood=data.get("neighbourhood"),
        ),
    )


@_page
@require_http_methods(GET_POST)
def new_group_purchase(request: HttpRequest) -> HttpResponse:
    return _new_exchange(
        request,
        NewGroupPurchaseForm,
        (
            gettext_lazy("Start a group purchase"),
            gettext_lazy(
                "Neighbours say how much they want to buy. When the target is reached, "
                "the purchase goes ahead."
            ),
        ),
        lambda data: group_purchases.publish_group_purchase(
            request.user,  # type: ignore[arg-type]
            product=data["product"],
            supplier=data["supplier"],
            unit=data["unit"],
            unit_price=data["unit_price"],
            target_quantity=data["target_quantity"],
            deadline=data["deadline"],
            description=data["description"],
            neighbourhood=data.get("neighbourhood"),
        ),
    )


def _take_part(
    request: HttpRequest,
    post: Post,
    form_class: type[forms.Form],
    act: Callable[[dict[str, Any]], object],
    done: str | Promise,
    heading: str | Promise,
) -> HttpResponse:
    """Ask to borrow, book, commit: the form on its own page (the post page has it too); a
    refusal shows it again with what was typed and the reason."""
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                act(form.cleaned_data)
            except Refusal as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, str(done))
                return redirect(post_url(post))
        status = 400
    else:
        form = form_class()
    context = {"post": post, "exchange_form": form, "heading": heading}
    return render(request, "mutual_aid/exchanges/take_part.html", context, status=status)


def _step(request: HttpRequest, post: Post, act: Callable[[], object], done: str) -> HttpResponse:
    """A button on the post's panel: do it, say how it went, back to the panel."""
    try:
        act()
    except Refusal as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(post_url(post))


# --- Lending ------------------------------------------------------------------------------


@_page
@require_http_methods(GET_POST)
def loan_ask(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_exchange_post_for(request.user, pk, Post.Type.LOAN)
    return _take_part(
        request,
        post,
        BorrowForm,
        lambda data: lending.ask_to_borrow(
            post,
            request.user,  # type: ignore[arg-type]
            start_date=data["start_date"],
            end_date=data["end_date"],
            message=data["message"],
        ),
        gettext_lazy("Your request is sent to the owner."),
        gettext_lazy("Ask to borrow"),
    )


def _loan_step(
    service: Callable[..., object], role: str, done: str | Promise
) -> Callable[..., HttpResponseBase]:
    @_page
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        loan = get_loan_request_for(request.user, pk, role)  # type: ignore[arg-type]
        return _step(request, loan.post, lambda: service(loan, by=request.user), str(done))

    return view


loan_accept = _loan_step(
    lending.accept_loan, "author", gettext_lazy("You accepted the request: the dates are kept.")
)
loan_refuse = _loan_step(lending.refuse_loan, "author", gettext_lazy("You declined the request."))
loan_lent = _loan_step(lending.mark_lent, "author", gettext_lazy("The object is marked as lent."))
loan_returned = _loan_step(
    lending.mark_returned, "author", gettext_lazy("The object is marked as given back.")
)
loan_cancel = _loan_step(
    lending.cancel_loan_request, "other", gettext_lazy("Your request is cancelled.")
)


# --- Carpooling ---------------------------------------------------------------------------


@_page
@require_http_methods(GET_POST)
def carpool_book(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_exchange_post_for(request.user, pk, Post.Type.CARPOOL)
    return _take_part(
        request,
        post,
        BookSeatsForm,
        lambda data: carpooling.book_seats(
            post,
            request.user,  # type: ignore[arg-type]
            seats=data["seats"],
        ),
        gettext_lazy("Your seat is booked. The driver is told."),
        gettext_lazy("Book a seat"),
    )


@_page
@require_POST
def carpool_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_seat_booking_for(request.user, pk, "author")
    return _step(
        request,
        booking.post,
        lambda: carpooling.refuse_passenger(booking, by=request.user),  # type: ignore[arg-type]
        _("You declined this passenger. They are told."),
    )


@_page
@require_POST
def carpool_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_seat_booking_for(request.user, pk, "other")
    return _step(
        request,
        booking.post,
        lambda: carpooling.cancel_booking(booking, by=request.user),  # type: ignore[arg-type]
        _("Your booking is cancelled."),
    )


# --- Group purchases ----------------------------------------------------------------------


@_page
@require_http_methods(GET_POST)
def purchase_commit(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_exchange_post_for(request.user, pk, Post.Type.GROUP_PURCHASE)
    return _take_part(
        request,
        post,
        CommitForm,
        lambda data: group_purchases.commit_quantity(
            post,
            request.user,  # type: ignore[arg-type]
            quantity=data["quantity"],
        ),
        gettext_lazy("Your quantity is saved."),
        gettext_lazy("Take part in the group purchase"),
    )


@_page
@require_POST
def purchase_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_exchange_post_for(request.user, pk, Post.Type.GROUP_PURCHASE)
    return _step(
        request,
        post,
        lambda: group_purchases.withdraw_commitment(post, request.user),  # type: ignore[arg-type]
        _("You no longer take part in this group purchase."),
    )


@_page
@require_POST
def purchase_close(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_exchange_post_for(request.user, pk, Post.Type.GROUP_PURCHASE)
    if post.author_id != request.user.pk:
        raise Http404  # as for editing a post: only its author has this button
    go_ahead = request.POST.get("outcome") == "go_ahead"
    return _step(
        request,
        post,
        lambda: group_purchases.close_purchase(post, by=request.user, go_ahead=go_ahead),  # type: ignore[arg-type]
        _("The purchase goes ahead. Everyone who took part is told.")
        if go_ahead
        else _("The purchase is cancelled. Everyone who took part is told."),
    )
