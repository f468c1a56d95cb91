"""Ops: close a claim that is not the collectivité's (audited)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding import staff
from onboarding.management.staff_args import acting_staff, add_staff_arguments, get_claim


class Command(BaseCommand):
    help = "Dismiss a claim from the queue (the site stays as it is)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_staff_arguments(parser, claim=True)

    def handle(self, *args: Any, **options: Any) -> None:
        claim = get_claim(options)
        by = acting_staff(options)
        try:
            staff.dismiss_claim(claim, by=by, reason=options["reason"])
        except staff.StaffError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Claim #{claim.pk} on {claim.name} dismissed.")
