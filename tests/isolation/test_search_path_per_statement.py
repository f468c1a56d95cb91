"""Behind PgBouncer in transaction mode, the town's search path goes inside every statement
(tenants/postgresql_backend): a statement reads its own town's tables whatever path the server
session was left with by someone else, and leaves the session's path as it found it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Collectivite

pytestmark = pytest.mark.django_db


@pytest.fixture
def per_statement() -> Iterator[Any]:
    """This test's connection in the mode, its wrapper taken off after."""
    before = list(connection.execute_wrappers)
    connection.put_search_path_in_statements()  # type: ignore[attr-defined]
    yield connection
    connection.execute_wrappers[:] = before
    connection.search_path_per_statement = False  # type: ignore[attr-defined]
    connection.search_path_set_schemas = None  # type: ignore[attr-defined]  # set it again next


def session_path() -> str:
    """The server session's own search path, read without the wrapper."""
    raw = connection.connection
    assert raw is not None
    with raw.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def poison_session(schema: str) -> None:
    """What a pooled server session looks like after another client's session-level SET."""
    raw = connection.connection
    assert raw is not None
    with raw.cursor() as cursor:
        cursor.execute(f'SET search_path = "{schema}", public')


def emails(schema: str) -> set[str]:
    with schema_context(schema):
        return set(User.objects.values_list("email", flat=True))


def test_each_statement_reads_its_own_town_whatever_the_session_was_left_with(
    per_statement: Any, town_a: Collectivite, town_b: Collectivite
) -> None:
    with schema_context(town_a.schema_name):
        User.objects.create_user(email="habitante@town-a.example", password="x" * 12)
    with schema_context(town_b.schema_name):
        User.objects.create_user(email="habitant@town-b.example", password="x" * 12)
    connection.ensure_connection()
    with CaptureQueriesContext(connection) as queries:
        poison_session(town_b.schema_name)
        assert "habitante@town-a.example" in emails(town_a.schema_name)
        assert "habitant@town-b.example" not in emails(town_a.schema_name)
        poison_session(town_a.schema_name)
        assert "habitant@town-b.example" in emails(town_b.schema_name)
        assert "habitante@town-a.example" not in emails(town_b.schema_name)
    # No session-wide SET: the path went inside the statements (as SET LOCAL, which ends with
    # the transaction: here the test's own, so it shows until the test rolls back).
    statements = [q["sql"] for q in queries.captured_queries]
    assert statements and all(sql.startswith("SET LOCAL search_path = ") for sql in statements)
    assert not [sql for sql in statements if "SET search_path" in sql]
    assert session_path() == f"{town_b.schema_name}, public"


def test_the_path_holds_through_an_atomic_block_and_executemany(
    per_statement: Any, town_a: Collectivite, town_b: Collectivite
) -> None:
    connection.ensure_connection()
    poison_session(town_b.schema_name)
    with schema_context(town_a.schema_name), transaction.atomic():
        User.objects.create_user(email="dans-le-bloc@town-a.example", password="x" * 12)
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE accounts_user SET display_name = %s WHERE email = %s",
                [("Aline", "dans-le-bloc@town-a.example"), ("Nobody", "absent@example.org")],
            )
    with schema_context(town_a.schema_name):
        assert User.objects.get(email="dans-le-bloc@town-a.example").display_name == "Aline"
    assert "dans-le-bloc@town-a.example" not in emails(town_b.schema_name)


def test_the_public_schema_is_read_as_public(per_statement: Any, town_a: Collectivite) -> None:
    connection.ensure_connection()
    poison_session(town_a.schema_name)
    with schema_context("public"):
        assert Collectivite.objects.filter(pk=town_a.pk).exists()
        assert not User.objects.filter(email__endswith="@town-a.example").exists()
