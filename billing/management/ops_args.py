"""Who runs an ops command: `--by <email>` names the Placette staff member, for the audit log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django_tenants.utils import schema_context

from accounts.models import User


def add_actor_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--by",
        required=True,
        metavar="EMAIL",
        help="Email of the Placette staff member doing this (kept in the audit log).",
    )


def get_actor(options: dict[str, Any]) -> User:
    with schema_context("public"):
        actor = User.objects.filter(
            email__iexact=options["by"], is_staff=True, is_active=True
        ).first()
    if actor is None:
        raise CommandError(f"No active Placette staff member with the email {options['by']!r}.")
    return actor
