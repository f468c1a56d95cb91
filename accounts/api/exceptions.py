"""The API's error answers: French by default, the apps' own refusals as 403 with their reason.

Services refuse with their own exception carrying a message for the person (mutual_aid's
NotAllowed, moderation's ContributionRefused...): settings.API_REFUSALS names them, since this
floor may not import the apps above it. A Django ValidationError from a service is bad input.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.module_loading import import_string
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

from accounts.api.throttling import TooManyRequests


@cache
def refusal_classes() -> tuple[type[Exception], ...]:
    return tuple(import_string(path) for path in getattr(settings, "API_REFUSALS", []))


def handle_exception(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: map the apps' errors, then DRF's own handler."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, exceptions.Throttled) and not isinstance(exc, TooManyRequests):
        exc = TooManyRequests(getattr(exc, "wait", None))
    elif isinstance(exc, refusal_classes()):
        exc = exceptions.PermissionDenied(str(getattr(exc, "message", "")) or None)
    return exception_handler(exc, context)
