"""Ops: the email domains only a collectivité's own people use (a signer on one is verified)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding import directory, staff
from onboarding.management.staff_args import acting_staff
from onboarding.models import OfficialEmailDomain
from tenants.models import Collectivite


class Command(BaseCommand):
    help = (
        "List, add or remove the official email domains of a collectivité of the directory. "
        "Adding the domain its signer writes from verifies its site at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="INSEE code, or the EPCI's SIREN.")
        parser.add_argument(
            "--kind", choices=Collectivite.Kind.values, default=Collectivite.Kind.COMMUNE
        )
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--add", metavar="DOMAIN")
        action.add_argument("--remove", metavar="DOMAIN")
        parser.add_argument("--by", help="Your Placette staff email (to add or remove).")

    def handle(self, *args: Any, **options: Any) -> None:
        kind, code = options["kind"], options["code"]
        entry = directory.find(kind, code)
        if entry is None:
            raise CommandError(f"No {kind} {code} in the official directory.")
        if options["add"] or options["remove"]:
            if not options["by"]:
                raise CommandError("Say who you are with --by (kept in the audit log).")
            by = acting_staff(options)
            try:
                if options["add"]:
                    done = staff.add_official_domain(kind, code, options["add"], by=by)
                else:
                    done = staff.remove_official_domain(kind, code, options["remove"], by=by)
            except staff.StaffError as error:
                raise CommandError(str(error)) from None
            if not done:
                self.stdout.write("Nothing to change.")
        domains = OfficialEmailDomain.objects.filter(kind=kind, official_code=code)
        listed = ", ".join(d.domain for d in domains) or "none"
        self.stdout.write(f"{entry.label}: official email domains: {listed}.")
