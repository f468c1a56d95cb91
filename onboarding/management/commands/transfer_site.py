"""Ops: give a site to the claimant we verified (audited; both sides told by email)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding import staff
from onboarding.management.staff_args import acting_staff, add_staff_arguments, get_claim
from tenants.management.tenant_args import add_tenant_argument, get_tenant


class Command(BaseCommand):
    help = (
        "Transfer a collectivité's site to the person of a claim: they become its "
        "administrator; its administrators until now are demoted to residents or removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_tenant_argument(parser)
        add_staff_arguments(parser, claim=True)
        parser.add_argument(
            "--previous-admins",
            choices=staff.PREVIOUS_ADMIN_FATES,
            required=True,
            help="demote: they stay as residents; remove: their accounts are closed.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = get_tenant(options)
        claim = get_claim(options)
        if (claim.kind, claim.official_code) != (tenant.kind, tenant.official_code):
            raise CommandError(f"Claim #{claim.pk} is on {claim.name}, not on {tenant}.")
        by = acting_staff(options)
        try:
            transfer = staff.transfer_site(
                claim,
                by=by,
                previous_admins=options["previous_admins"],
                reason=options["reason"],
            )
        except staff.StaffError as error:
            raise CommandError(str(error)) from None
        previous = ", ".join(a.email for a in transfer.previous_admins) or "nobody"
        self.stdout.write(
            f"{tenant}: {transfer.new_admin.email} is its administrator; "
            f"{options['previous_admins']}d: {previous}. Both were told by email."
        )
