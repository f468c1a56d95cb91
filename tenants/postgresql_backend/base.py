"""django-tenants' PostgreSQL backend, whose search path can travel inside every statement.

django-tenants sets the town's schema with `SET search_path` when a cursor opens: a setting of
the server session. Behind PgBouncer in transaction mode, a server session is lent to a client
for one transaction only, so that SET can land on one server connection and the next statement
on another, left with another town's path: a cross-town answer. PgBouncer 1.18 (Debian 12) does
not track `search_path` (1.20 does), so the path must be part of each transaction.

With `SEARCH_PATH_PER_STATEMENT` in the database's settings (PGBOUNCER_TRANSACTION_POOLING=true),
no session SET is sent; each statement goes as `SET LOCAL search_path = ...; <statement>` in one
message. PostgreSQL runs a message of several statements as one transaction (an implicit one
when no transaction is open), so the path holds for that statement and ends with it; inside an
atomic block it holds until the block's next statement sets it again. Django's psycopg cursors
bind parameters on the client side, which is what allows two statements in one execute; the
cursor is then moved to the statement's own result. `executemany` cannot carry a second
statement: its SET LOCAL goes just before it, in the same transaction.

What cannot run in a transaction (CREATE INDEX CONCURRENTLY, VACUUM) cannot go through this
mode: the release step's migrations connect to PostgreSQL directly (deploy/env.example).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.utils import quote_schema_name


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.search_path_per_statement = False
        if self.settings_dict.get("SEARCH_PATH_PER_STATEMENT"):
            self.put_search_path_in_statements()

    def put_search_path_in_statements(self) -> None:
        """From now on, the path goes in every statement and never in the session."""
        if not self.search_path_per_statement:
            self.search_path_per_statement = True
            # Outermost: every other wrapper (and the query log) sees the statement as written.
            self.execute_wrappers.insert(0, self._with_search_path)

    def _handle_search_path(self, cursor: Any = None) -> None:
        if self.search_path_per_statement:
            return  # no session setting: it would outlive the transaction on a pooled server
        super()._handle_search_path(cursor)

    def search_path_statement(self) -> str:
        """`SET LOCAL search_path = ...` for the schema this connection is set to."""
        if not self.schema_name:
            raise ImproperlyConfigured("Database schema not set: call set_tenant() first.")
        paths = ", ".join(quote_schema_name(path) for path in self._get_cursor_search_paths())
        return f"SET LOCAL search_path = {paths}"

    def _with_search_path(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        prefix = self.search_path_statement()
        cursor = context["cursor"].cursor  # psycopg's own
        if many:
            with transaction.atomic(using=self.alias, savepoint=False):
                cursor.execute(prefix)
                return execute(sql, params, many, context)
        result = execute(f"{prefix}; {sql}", params, many, context)
        cursor.nextset()  # from the SET's empty result to the statement's
        return result
