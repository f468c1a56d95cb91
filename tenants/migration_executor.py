"""`migrate_schemas --executor=placette`: migrations over thousands of towns (deploy/release.sh).

django-tenants' executors run Django's whole `migrate` in every schema, even when there is
nothing to apply: a migration graph built again, every model rendered, the autodetector run,
post_migrate's queries. Users report 12 minutes for 900 tenants with nothing to do
(https://github.com/django-tenants/django-tenants/issues/719). Here:

- one query per batch of schemas reads every schema's `django_migrations` (a digest of it), and
  schemas are grouped by what they hold: towns cloned from the same template hold the same;
- each group's plan is computed once, by Django's own executor on one of its schemas; an empty
  plan means the whole group has nothing to do and no schema of it is touched;
- a group with a plan has it applied schema by schema by that same executor: the graph and the
  rendered states before and after the plan are reused (the first cloned for each schema: 20 ms
  a schema instead of a render of every model), every migration still runs its operations in
  each schema in its own transaction and is recorded there, and post_migrate goes to the apps
  the plan migrated (their content types and permissions are all it creates).

A schema without `django_migrations` (a wiped town's empty schema, one made by hand), or a run
with anything but the plain arguments (an app or a migration named, --fake, --plan, --check,
--prune, --run-syncdb), goes through django-tenants' standard executor as before.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps as global_apps
from django.core.management.sql import emit_pre_migrate_signal
from django.db import connections
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor as DjangoExecutor
from django.db.models.signals import post_migrate
from django_tenants.migration_executors.base import MigrationExecutor
from django_tenants.migration_executors.standard import StandardExecutor
from django_tenants.signals import schema_migrated, schema_pre_migration

# Schemas read per query: each is a table to lock for the statement, and the server's lock table
# holds max_locks_per_transaction x max_connections of them (64 x 100 by default).
BATCH = 400
# A backend that visits thousands of schemas keeps each one's catalog entries: start a new one
# every so often.
RECONNECT_EVERY = 500
# Options that ask for something else than "apply what is pending, everywhere".
_SPECIAL = ("app_label", "migration_name", "fake", "fake_initial", "plan", "prune", "run_syncdb")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PlacetteExecutor(MigrationExecutor):
    codename = "placette"

    def run_migrations(self, tenants: Iterable[str] | None = None) -> None:
        schemas = list(tenants or [])
        standard = StandardExecutor(self.args, self.options)
        if self.PUBLIC_SCHEMA_NAME in schemas:
            schemas.remove(self.PUBLIC_SCHEMA_NAME)
            standard.run_migrations(tenants=[self.PUBLIC_SCHEMA_NAME])
        if not schemas:
            return
        if any(self.options.get(option) for option in _SPECIAL) or self.options.get(
            "check_unapplied"
        ):
            standard.run_migrations(tenants=schemas)
            return
        groups = self.applied_groups(schemas)
        without_table = groups.pop(None, [])
        if without_table:
            standard.run_migrations(tenants=without_table)
        untouched = migrated = 0
        for members in groups.values():
            done = self._migrate_group(members)
            migrated += done
            untouched += len(members) - done
        self._write(
            f"{len(schemas)} schemas: {untouched} had nothing to apply, {migrated} migrated, "
            f"{len(without_table)} without django_migrations went through the standard executor"
        )

    def run_multi_type_migrations(self, tenants: Any) -> None:
        StandardExecutor(self.args, self.options).run_multi_type_migrations(tenants)

    # -- reading every schema's migrations -----------------------------------------------------
    def applied_groups(self, schemas: list[str]) -> dict[str | None, list[str]]:
        """Schemas grouped by a digest of their django_migrations (None: they have none)."""
        connection = self._connection()
        connection.set_schema_to_public()
        groups: dict[str | None, list[str]] = defaultdict(list)
        for start in range(0, len(schemas), BATCH):
            batch = schemas[start : start + BATCH]
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE c.relname = 'django_migrations' AND c.relkind = 'r'"
                    " AND n.nspname = ANY(%s)",
                    [batch],
                )
                having = {row[0] for row in cursor.fetchall()}
                groups[None].extend(schema for schema in batch if schema not in having)
                present = [schema for schema in batch if schema in having]
                if not present:
                    continue
                cursor.execute(
                    " UNION ALL ".join(
                        "SELECT %s, md5(coalesce(string_agg(app || '.' || name, ','"  # noqa: S608
                        f" ORDER BY app, name), '')) FROM {_quoted(schema)}.django_migrations"
                        for schema in present
                    ),
                    present,
                )
                for schema, digest in cursor.fetchall():
                    groups[digest].append(schema)
        if not groups[None]:
            del groups[None]
        return dict(groups)

    # -- applying a group's plan -------------------------------------------------------------
    def _migrate_group(self, schemas: list[str]) -> int:
        """Apply the group's plan to each of its schemas; how many were migrated."""
        connection = self._connection()
        connection.set_schema(schemas[0])
        executor = DjangoExecutor(connection, self._progress)
        executor.loader.check_consistent_history(connection)
        if executor.loader.detect_conflicts():
            connection.set_schema_to_public()
            StandardExecutor(self.args, self.options).run_migrations(tenants=schemas)  # it says why
            return len(schemas)
        targets = executor.loader.graph.leaf_nodes()
        plan = executor.migration_plan(targets)
        if not plan:
            connection.set_schema_to_public()
            return 0
        verbosity = int(self.options.get("verbosity", 1))
        self._write(
            f"{len(schemas)} schemas to migrate: "
            + ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan)
        )
        before = executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]  # as Django's migrate
        # Once for the group: it edits the plan's migrations in place (content types renamed
        # after a RenameModel), and those operations then run in every schema.
        emit_pre_migrate_signal(
            max(verbosity - 1, 0), False, connection.alias, apps=before.apps, plan=plan
        )
        labels = {migration.app_label for migration, _ in plan}
        app_configs = [
            config
            for config in global_apps.get_app_configs()
            if config.label in labels and config.models_module is not None
        ]
        after_apps = None
        for number, schema in enumerate(schemas, start=1):
            if number % RECONNECT_EVERY == 0:
                connection.close()
            schema_pre_migration.send(self.__class__, schema_name=schema)
            connection.set_schema(schema)
            if verbosity >= 1:
                self._write(f"[{number}/{len(schemas)}] {schema}")
            after = executor.migrate(targets, plan=plan, state=before.clone())
            if after_apps is None:  # the same state after the plan in every schema: rendered once
                after.clear_delayed_apps_cache()
                after_apps = after.apps
            for config in app_configs:
                post_migrate.send(
                    sender=config,
                    app_config=config,
                    verbosity=max(verbosity - 1, 0),
                    interactive=False,
                    using=connection.alias,
                    apps=after_apps,
                    plan=plan,
                )
            connection.set_schema_to_public()
            schema_migrated.send(self.__class__, schema_name=schema)
        return len(schemas)

    # -- plumbing ----------------------------------------------------------------------------
    def _connection(self) -> Any:
        return connections[self.options.get("database") or self.TENANT_DB_ALIAS]

    def _progress(
        self, action: str, migration: Migration | None = None, fake: bool | None = False, /
    ) -> None:
        if int(self.options.get("verbosity", 1)) >= 2 and action == "apply_success":
            self._write(f"  applied {migration}")

    def _write(self, message: str) -> None:
        if int(self.options.get("verbosity", 1)) >= 1:
            sys.stdout.write(f"[{self.codename}] {message}\n")
            sys.stdout.flush()
