"""Assertions shared by the suites, above all the isolation probe."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.http import HttpResponse, HttpResponseBase
from django.test import Client

DENIED_STATUSES = {403, 404, 405}


def assert_denied(response: HttpResponse, *, leaked: Iterable[str] = ()) -> None:
    """The request got nothing: refused, not found, or sent to log in; and no leaked text."""
    status = response.status_code
    if status in (301, 302):
        assert "/accounts/login/" in response["Location"], (
            f"redirected to {response['Location']}, not to the login page"
        )
    else:
        assert status in DENIED_STATUSES, f"expected a refusal, got {status}"
    body = response.content.decode(errors="replace")
    for text in leaked:
        assert text not in body, f"{text!r} leaked in a {status} response"


def probe(
    client: Client,
    path: str,
    *,
    method: str = "get",
    data: dict[str, Any] | None = None,
    leaked: Iterable[str] = (),
) -> HttpResponse:
    """One line per isolation check: `probe(client_for(town_b, resident_b), url, leaked=[...])`."""
    response = getattr(client, method)(path, data or {})
    assert_denied(response, leaked=leaked)
    return response


def body(response: HttpResponseBase) -> str:
    """The response's text (of a view's response, or of the test client's)."""
    return cast(HttpResponse, response).content.decode()
