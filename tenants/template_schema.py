"""The template schema new towns are cloned from, instead of running every migration.

`tenant_template` is a schema like any town's, migrated with the tenant apps and holding the
defaults every town starts with. `migrate_tenant_template` keeps it migrated (make setup, the
release step, the test session); tests prove a clone equals a freshly migrated schema.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context, schema_exists

from tenants import schema


def template_schema_name() -> str:
    return str(settings.TENANT_BASE_SCHEMA)


def ensure_template_schema(verbosity: int = 0) -> None:
    """Create the template schema if missing, apply new migrations, seed the defaults."""
    name = template_schema_name()
    assert schema.is_public()
    if not schema_exists(name):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{name}"')
    call_command(
        "migrate_schemas", tenant=True, schema_name=name, interactive=False, verbosity=verbosity
    )
    with schema_context(name):
        seed_defaults()


def seed_defaults() -> None:
    """What every new town starts with (run in the template schema; cloned with it)."""
    import_string(settings.TENANT_TEMPLATE_DEFAULTS)()


def align_constraint_names(schema_name: str) -> None:
    """Give a clone's constraints the template's names.

    The clone function rebuilds unique constraints under PostgreSQL's default names
    (`<table>_<columns>_key`); Django's migrations name them (`..._<hash>_uniq`) and may later
    drop them by that name. Renaming keeps a cloned schema identical to a migrated one.
    """
    query = (
        "SELECT rel.relname, con.conname, pg_get_constraintdef(con.oid) "
        "FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid "
        "WHERE con.connamespace = %s::regnamespace AND con.contype = 'u'"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [template_schema_name()])
        wanted = {(table, definition): name for table, name, definition in cursor.fetchall()}
        cursor.execute(query, [schema_name])
        for table, name, definition in cursor.fetchall():
            target = wanted.get((table, definition))
            if target and target != name:
                table_sql = f'"{schema_name}"."{table}"'
                cursor.execute(f'ALTER TABLE {table_sql} RENAME CONSTRAINT "{name}" TO "{target}"')
