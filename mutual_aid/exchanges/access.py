"""Fetch and authorise an exchange's rows in one step, on top of mutual_aid.access's rules.

A loan request or a seat booking is reached only by the two people it concerns: the post's
author and the borrower or passenger. Anyone else, in this town or another, gets a 404.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Q
from django.http import Http404

from mutual_aid.access import get_post_for, is_member, posts_for
from mutual_aid.models import LoanRequest, Post, SeatBooking

Role = Literal["author", "other"]


def get_exchange_post_for(user: Any, pk: int, post_type: str) -> Post:
    """A post of this type the person may see, else 404."""
    post = get_post_for(user, pk)
    if post.type != post_type:
        raise Http404
    return post


def get_loan_request_for(user: Any, pk: int, role: Role) -> LoanRequest:
    """The request, if this person owns the object (`author`) or asked for it (`other`)."""
    if not is_member(user):
        raise Http404
    mine = Q(post__author=user) if role == "author" else Q(borrower=user)
    found = (
        LoanRequest.objects.filter(post__in=posts_for(user))
        .filter(mine, pk=pk)
        .select_related("post", "borrower")
        .first()
    )
    if found is None:
        raise Http404
    return found


def get_seat_booking_for(user: Any, pk: int, role: Role) -> SeatBooking:
    """The booking, if this person drives (`author`) or booked it (`other`)."""
    if not is_member(user):
        raise Http404
    mine = Q(post__author=user) if role == "author" else Q(passenger=user)
    found = (
        SeatBooking.objects.filter(post__in=posts_for(user))
        .filter(mine, pk=pk)
        .select_related("post", "passenger")
        .first()
    )
    if found is None:
        raise Http404
    return found
