"""A task the test worker imports (`--include`), reporting what schema and people it sees."""

from celery import shared_task
from django.db import connection

from accounts.models import User


@shared_task
def who_am_i() -> dict[str, object]:
    return {
        "schema": connection.schema_name,
        "emails": sorted(User.objects.values_list("email", flat=True)),
    }
