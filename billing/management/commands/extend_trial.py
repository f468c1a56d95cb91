"""Ops: give a collectivité more days of free trial."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing import services
from billing.management.ops_args import add_actor_argument, get_actor
from billing.models import BillingAccount
from tenants.management.tenant_args import add_tenant_argument, get_tenant


class Command(BaseCommand):
    help = "Extend a collectivité's free trial by a number of days, or until a date."

    def add_arguments(self, parser: CommandParser) -> None:
        add_tenant_argument(parser)
        add_actor_argument(parser)
        when = parser.add_mutually_exclusive_group(required=True)
        when.add_argument("--days", type=int)
        when.add_argument(
            "--until", type=date.fromisoformat, metavar="YYYY-MM-DD", help="The trial's last day."
        )
        parser.add_argument("--reason", default="", help="Why (kept in the audit log).")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = get_tenant(options)
        actor = get_actor(options)
        account = BillingAccount.objects.filter(collectivite=tenant).first()
        if account is None:
            raise CommandError(f"{tenant} has no billing account (no trial was started).")
        try:
            account = services.extend_trial(
                account,
                days=options["days"],
                until=options["until"],
                acting_user=actor,
                reason=options["reason"],
            )
        except services.BillingError as error:
            raise CommandError(str(error)) from None
        assert account.trial_ends_at is not None
        self.stdout.write(f"{tenant}: trial until {account.trial_ends_at:%Y-%m-%d %H:%M}.")
