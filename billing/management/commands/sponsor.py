"""Ops: offer a collectivité its subscription (a partner, a crisis), or end that offer."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing import services
from billing.management.ops_args import add_actor_argument, get_actor
from billing.models import BillingAccount
from tenants.management.tenant_args import add_tenant_argument, get_tenant


class Command(BaseCommand):
    help = (
        "Make a collectivité's subscription free by our decision (--end to stop). "
        "Stripe stops charging its subscription meanwhile."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_tenant_argument(parser)
        add_actor_argument(parser)
        parser.add_argument("--reason", default="")
        parser.add_argument("--end", action="store_true", help="End the sponsorship.")
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="The last day offered; the daily billing run ends the sponsorship after it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = get_tenant(options)
        actor = get_actor(options)
        account = BillingAccount.objects.filter(collectivite=tenant).first()
        if account is None:
            raise CommandError(f"{tenant} has no billing account (no trial was started).")
        if not options["end"] and not options["reason"]:
            raise CommandError("Say why with --reason (kept on the account).")
        try:
            if options["end"]:
                if account.status != BillingAccount.Status.SPONSORED:
                    raise CommandError(f"{tenant} is not sponsored.")
                account = services.reinstate(account, reason=options["reason"], acting_user=actor)
            else:
                account = services.sponsor(
                    account, reason=options["reason"], until=options["until"], acting_user=actor
                )
        except services.BillingError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{tenant}: {account.get_status_display()}.")
