"""Ops: offer a collectivité its subscription (a partner, a crisis), or end that offer."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing import services
from billing.models import BillingAccount
from tenants.management.tenant_args import add_tenant_argument, get_tenant


class Command(BaseCommand):
    help = "Make a collectivité's subscription free by our decision (--end to stop)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_tenant_argument(parser)
        parser.add_argument("--reason", default="")
        parser.add_argument("--end", action="store_true", help="End the sponsorship.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = get_tenant(options)
        account = BillingAccount.objects.filter(collectivite=tenant).first()
        if account is None:
            raise CommandError(f"{tenant} has no billing account (no trial was started).")
        if options["end"]:
            services.reinstate(account)
        else:
            if not options["reason"]:
                raise CommandError("Say why with --reason (kept on the account).")
            services.sponsor(account, reason=options["reason"])
        self.stdout.write(f"{tenant}: {account.get_status_display()}.")
