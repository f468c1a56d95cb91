"""Ops: the site is run by its collectivité (we checked, e.g. by calling the town hall)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding import staff
from onboarding.management.staff_args import acting_staff, add_staff_arguments
from tenants.management.tenant_args import add_tenant_argument, get_tenant


class Command(BaseCommand):
    help = "Mark a collectivité's site as verified by our staff (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_tenant_argument(parser)
        add_staff_arguments(parser)
        parser.add_argument(
            "--trust-domain",
            action="store_true",
            help="Also make the signer's email domain official for this collectivité.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = get_tenant(options)
        by = acting_staff(options)
        try:
            changed = staff.verify_site(
                tenant, by=by, reason=options["reason"], trust_domain=options["trust_domain"]
            )
        except staff.StaffError as error:
            raise CommandError(str(error)) from None
        tenant.refresh_from_db()
        state = "verified" if changed else "was already verified"
        self.stdout.write(f"{tenant}: {state} ({tenant.get_verified_via_display()}).")
