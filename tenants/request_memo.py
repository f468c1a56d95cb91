"""What one request reads several times (the town's look: the header, the module switches),
read once: a memo that lives as long as the request, per schema.

TenantMiddleware opens the scope; outside one (tasks, shell), nothing is kept. Code that
changes a memoised value forgets it, so the rest of the request reads the new one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection

_memo: ContextVar[dict[tuple[str, str], Any] | None] = ContextVar("request_memo", default=None)


@contextmanager
def scope() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def get_or_compute[T](key: str, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    schema_key = (connection.schema_name, key)  # type: ignore[attr-defined]  # django-tenants
    if schema_key not in memo:
        memo[schema_key] = compute()
    return memo[schema_key]


def forget(key: str) -> None:
    memo = _memo.get()
    if memo:
        for schema_key in [schema_key for schema_key in memo if schema_key[1] == key]:
            del memo[schema_key]
