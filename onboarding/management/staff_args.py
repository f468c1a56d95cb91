"""The one way our staff's commands say who acts (--by) and on which claim (--claim)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from accounts.models import User
from onboarding import staff
from onboarding.models import SiteClaim


def add_staff_arguments(parser: CommandParser, *, claim: bool = False) -> None:
    parser.add_argument(
        "--by", required=True, help="Your Placette staff email (kept in the audit log)."
    )
    parser.add_argument("--reason", required=True, help="Why (kept in the audit log).")
    if claim:
        parser.add_argument("--claim", type=int, required=True, help="The claim's number.")


def acting_staff(options: dict[str, Any]) -> User:
    try:
        return staff.staff_member(options["by"])
    except staff.StaffError as error:
        raise CommandError(str(error)) from None


def get_claim(options: dict[str, Any]) -> SiteClaim:
    claim = SiteClaim.objects.filter(pk=options["claim"]).first()
    if claim is None:
        raise CommandError(f"No claim #{options['claim']} (run `claims` to see the queue).")
    return claim
