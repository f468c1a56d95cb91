"""What participation's endpoints share: the module switches, the caller, people, pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from accounts.api.pagination import MAX_PAGE_SIZE, PAGE_SIZE
from accounts.models import User
from participation.consultations import access as consultations_access
from participation.ideas import access as ideas_access

ID = r"[0-9]+"


def me(request: Request) -> User:
    """The resident calling (every write here requires one)."""
    return cast(User, request.user)


def absolute(context: Mapping[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class _ModuleOn:
    """An endpoint of a module: not found while the town has that module off."""

    module_enabled: Callable[[], bool]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not type(self).module_enabled():
            raise exceptions.NotFound


class ConsultationsOn(_ModuleOn):
    module_enabled = staticmethod(consultations_access.module_enabled)


class IdeasOn(_ModuleOn):
    module_enabled = staticmethod(ideas_access.module_enabled)


class Conflict(exceptions.APIException):
    """Done already: nothing changed (supporting an idea twice)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class NumberedPage(PageNumberPagination):
    """Numbered pages, as the site's idea list has: its orders include one on a date that may
    be empty (recently answered), where a cursor cannot hold its place."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    page_size_query_description = _("How many results per page (at most 100).")  # type: ignore[assignment]
    page_query_description = _("The page's number, from 1.")  # type: ignore[assignment]
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = _("This page does not exist.")  # type: ignore[assignment]


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    """A page's form errors as the API gives them: per field, the form's own at large."""
    return {
        ("non_field_errors" if field == NON_FIELD_ERRORS else field): [str(e) for e in errors]
        for field, errors in form.errors.items()
    }


class PlaceSerializer(serializers.Serializer[Any]):
    """A neighbourhood, or on an intercommunalité's site a member commune."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ParticipantSerializer(serializers.ModelSerializer[User]):
    """Someone as other residents see them: the name they chose, never an address."""

    class Meta:
        model = User
        fields = ["id", "display_name"]
        read_only_fields = fields
