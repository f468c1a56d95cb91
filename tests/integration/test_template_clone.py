"""A new town's schema is a copy of the template schema (tenants.cloning), in one round trip."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, schema_exists

from tenants import cloning
from tenants.models import Collectivite
from tenants.services import provision_collectivite
from tenants.template_schema import template_schema_name
from townsite.models import TownProfile

pytestmark = pytest.mark.django_db

SHAPE = {
    "columns": "SELECT table_name, column_name, data_type,"
    " is_nullable, column_default, is_identity, identity_generation, is_generated,"
    " generation_expression, collation_name FROM information_schema.columns"
    " WHERE table_schema = %(s)s ORDER BY 1, 2",
    "indexes": "SELECT tablename, indexname, replace(indexdef, %(s)s || '.', '') FROM pg_indexes"
    " WHERE schemaname = %(s)s ORDER BY 1, 2",
    "constraints": "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid),"
    " condeferrable, condeferred FROM pg_constraint WHERE connamespace = %(s)s::regnamespace"
    " ORDER BY 2, 1",
    "relations": "SELECT relname, relkind, reloptions FROM pg_class"
    " WHERE relnamespace = %(s)s::regnamespace ORDER BY 1",
    "sequences": "SELECT sequencename, data_type, start_value, min_value, max_value,"
    " increment_by, cache_size, cycle, last_value FROM pg_sequences WHERE schemaname = %(s)s"
    " ORDER BY 1",
}


def shape(schema_name: str) -> dict[str, list[Any]]:
    with connection.cursor() as cursor:
        found = {}
        for name, query in SHAPE.items():
            cursor.execute(query, {"s": schema_name})
            found[name] = [
                tuple(str(v).replace(f"{schema_name}.", "") for v in row)
                for row in cursor.fetchall()
            ]
        return found


def rows(schema_name: str, table: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{schema_name}"."{table}" ORDER BY 1')  # noqa: S608
        return cursor.fetchall()


def _clone(name: str) -> None:
    with transaction.atomic():
        assert cloning.clone_schema(template_schema_name(), name)


def test_a_clone_has_the_templates_tables_indexes_constraints_and_sequences() -> None:
    _clone("t_clone_copy")
    assert shape("t_clone_copy") == shape(template_schema_name())


@pytest.mark.parametrize(
    "table", ["django_migrations", "django_content_type", "auth_permission", "townsite_townprofile"]
)
def test_a_clone_has_the_templates_rows(table: str) -> None:
    _clone("t_clone_rows")
    assert rows("t_clone_rows", table) == rows(template_schema_name(), table)


def test_a_clones_sequences_go_on_after_the_templates_rows() -> None:
    _clone("t_clone_seq")
    with schema_context("t_clone_seq"):
        created = ContentType.objects.create(app_label="clone", model="test")
    with schema_context(template_schema_name()):
        assert created.pk == max(ContentType.objects.values_list("pk", flat=True)) + 1


def test_the_templates_ddl_is_read_once_then_each_clone_is_two_statements() -> None:
    _clone("t_clone_first")
    with CaptureQueriesContext(connection) as queries:
        _clone("t_clone_second")
    statements = [
        q["sql"][:40]
        for q in queries.captured_queries
        if "SAVEPOINT" not in q["sql"] and not q["sql"].startswith("SET search_path")
    ]
    assert len(statements) == 2, statements  # the template's migrations, then the DDL


def test_a_template_holding_what_cannot_be_copied_is_refused_without_a_trace() -> None:
    template = template_schema_name()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE VIEW "{template}".clone_test_view AS SELECT 1 AS one')
    cloning._cache.clear()  # the template changed without a migration
    try:
        assert not cloning.clone_schema(template, "t_clone_refused")
        assert not schema_exists("t_clone_refused")
    finally:
        cloning._cache.clear()


def test_provisioning_falls_back_on_django_tenants_clone_when_the_copy_is_refused() -> None:
    template = template_schema_name()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE VIEW "{template}".clone_test_view AS SELECT 1 AS one')
    cloning._cache.clear()
    try:
        town = provision_collectivite(
            name="Repli", kind=Collectivite.Kind.COMMUNE, official_code="99077", slug="repli"
        )
    finally:
        cloning._cache.clear()
    with schema_context(town.schema_name):
        assert TownProfile.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_views WHERE schemaname = %s AND viewname = 'clone_test_view'",
            [town.schema_name],
        )
        assert cursor.fetchone()[0] == 1  # django-tenants' function copied the view


def test_a_failure_after_the_clone_leaves_no_schema() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _clone("t_clone_undone")
        raise RuntimeError("provisioning failed later")
    assert not schema_exists("t_clone_undone")


def test_behind_pgbouncer_the_copy_lands_in_its_own_schema(town_b: Collectivite) -> None:
    """With the search path inside each statement (PGBOUNCER_TRANSACTION_POOLING), a server
    session left on another town's path changes nothing."""
    before = list(connection.execute_wrappers)
    connection.put_search_path_in_statements()  # type: ignore[attr-defined]
    try:
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None
        with raw.cursor() as cursor:
            cursor.execute(f'SET search_path = "{town_b.schema_name}", public')
        _clone("t_clone_pooled")
    finally:
        connection.execute_wrappers[:] = before
        connection.search_path_per_statement = False  # type: ignore[attr-defined]
        connection.search_path_set_schemas = None  # type: ignore[attr-defined]
    assert shape("t_clone_pooled") == shape(template_schema_name())
