"""Ops: the queue of sites waiting for verification and of second claims."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onboarding.claims import QueueItem, queue
from onboarding.models import SignupRequest


class Command(BaseCommand):
    help = (
        "List the sites waiting for verification and the claims competing with them, the "
        "oldest first. Then: verify_claim, transfer_site or dismiss_claim."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="Only this collectivité (subdomain or schema).")

    def handle(self, *args: Any, **options: Any) -> None:
        items = queue()
        if options["tenant"]:
            wanted = options["tenant"]
            items = [i for i in items if i.town and wanted in (i.town.slug, i.town.schema_name)]
        if not items:
            self.stdout.write("Nothing waits for verification.")
            return
        for item in items:
            self.stdout.write(self._describe(item))

    def _describe(self, item: QueueItem) -> str:
        lines = [f"{item.name} ({item.kind} {item.official_code})"]
        if item.town is not None:
            state = (
                f"verified ({item.town.get_verified_via_display()})"
                if item.town.is_verified
                else "UNVERIFIED"
            )
            lines.append(
                f"  site: {item.town.slug} (--tenant {item.town.slug}), {state}, "
                f"opened {item.town.created_at:%Y-%m-%d %H:%M}"
            )
        else:
            lines.append("  no site yet")
        if item.signup is not None:
            lines.append("  opened by: " + _person(item.signup))
        for claim in item.claims:
            lines.append(
                f"  claim #{claim.pk} ({claim.created_at:%Y-%m-%d %H:%M}): {claim.claimant_name}, "
                f"{claim.get_claimant_role_display()}{_other(claim.claimant_role_other)}, "
                f"{claim.email}, {claim.phone}"
                + (", ON AN OFFICIAL DOMAIN" if claim.on_official_domain else "")
            )
            if claim.message:
                lines.append(f"    says: {claim.message}")
        return "\n".join(lines)


def _other(text: str) -> str:
    return f" ({text})" if text else ""


def _person(signup: SignupRequest) -> str:
    return (
        f"{signup.signer_name}, {signup.get_signer_role_display()}"
        f"{_other(signup.signer_role_other)}, {signup.email}, {signup.phone} "
        f"[{signup.get_status_display()}]"
    )
