"""Typed access to the schema state django-tenants keeps on the database connection."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest


def _connection() -> Any:
    # django-tenants' backend adds these attributes; Django's stubs do not know them.
    return connection


def current_schema() -> str:
    return str(_connection().schema_name)


def is_public() -> bool:
    return current_schema() == "public"


def current_tenant() -> Any:
    """The active tenant (a Collectivite, or django-tenants' FakeTenant for public)."""
    return _connection().tenant


def request_tenant(request: HttpRequest) -> Any:
    """The Collectivite (or public FakeTenant) TenantMiddleware put on the request."""
    return request.tenant  # type: ignore[attr-defined]


def activate(tenant: Any) -> None:
    _connection().set_tenant(tenant)


def activate_public() -> None:
    _connection().set_schema_to_public()
