"""Calling the API in tests: a resident's key, JSON requests, the refusals an API gives."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.test import Client
from django_tenants.utils import schema_context

from accounts.api import tokens
from accounts.models import User
from tenants.models import Collectivite

API = "/api/v1/"
# An API refuses with 401 (no or a bad key) as well as 403, 404 and 405.
API_DENIED = {401, 403, 404, 405}


def make_key(town: Collectivite, user: User, name: str = "Mon script") -> str:
    with schema_context(town.schema_name):
        _token, clear = tokens.create_token(user, name=name)
    return clear


def call(
    client: Client,
    method: str,
    path: str,
    data: dict[str, Any] | None = None,
    *,
    key: str = "",
    **headers: str,
) -> Any:
    """One API request, with a JSON body for writes and the key in the Authorization header."""
    extra: dict[str, Any] = {f"HTTP_{name.upper()}": value for name, value in headers.items()}
    if key:
        extra["HTTP_AUTHORIZATION"] = f"Token {key}"
    if method == "get":
        return client.get(path, data or {}, **extra)
    return getattr(client, method)(
        path, json.dumps(data or {}), content_type="application/json", **extra
    )


def assert_api_denied(response: Any, *, leaked: Iterable[str] = ()) -> None:
    assert response.status_code in API_DENIED, f"expected a refusal, got {response.status_code}"
    text = response.content.decode(errors="replace")
    for secret in leaked:
        assert secret not in text, f"{secret!r} leaked in a {response.status_code} response"
