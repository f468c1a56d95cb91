"""Stamp each new session with the schema it was opened in (checked by the session guard)."""

from typing import Any

from django.contrib.auth import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from tenants import schema

SESSION_SCHEMA_KEY = "placette_schema"


@receiver(user_logged_in)
def remember_schema(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SCHEMA_KEY] = schema.current_schema()
