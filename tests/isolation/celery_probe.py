"""A task the test worker imports (`--include`), reporting what schema and people it sees."""

from typing import Any

from celery import shared_task

from accounts.models import User
from tenants import schema


@shared_task
def who_am_i() -> dict[str, Any]:
    return {
        "schema": schema.current_schema(),
        "emails": sorted(User.objects.values_list("email", flat=True)),
    }
