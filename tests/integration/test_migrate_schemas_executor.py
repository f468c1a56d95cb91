"""`migrate_schemas --executor=placette` (deploy/release.sh): a pending migration is applied in
every town that lacks it, and a run with nothing to apply touches no schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.signals import schema_migrated
from django_tenants.utils import schema_context

from tenants.models import Collectivite
from tenants.services import provision_collectivite

pytestmark = pytest.mark.django_db

# A tenant app's migration that adds indexes (and changes a column's default): undone in some
# towns, it is what those towns have pending.
APP, PREVIOUS, PENDING = "participation", "0004_results_paper_reviews", "0005_idea_list_indexes"
INDEX = "idea_listed"


@pytest.fixture
def towns(town_a: Collectivite, town_b: Collectivite) -> list[Collectivite]:
    third = provision_collectivite(
        name="Troisième", kind=Collectivite.Kind.COMMUNE, official_code="99003", slug="town-c"
    )
    return [town_a, town_b, third]


@pytest.fixture
def migrated() -> Iterator[list[str]]:
    """The schemas django-tenants' schema_migrated signal names during the test."""
    names: list[str] = []

    def record(sender: Any, schema_name: str, **kwargs: Any) -> None:
        names.append(schema_name)

    schema_migrated.connect(record)
    yield names
    schema_migrated.disconnect(record)


def migrate(**options: Any) -> None:
    call_command("migrate_schemas", tenant=True, executor="placette", interactive=False, **options)


def undo_pending(schema_name: str) -> None:
    call_command(
        "migrate_schemas",
        APP,
        PREVIOUS,
        tenant=True,
        schema_name=schema_name,
        interactive=False,
        verbosity=0,
    )


def has_index(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE schemaname = %s AND indexname = %s",
            [schema_name, INDEX],
        )
        return cursor.fetchone() is not None


def recorded(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT 1 FROM "{schema_name}".django_migrations WHERE app = %s AND name = %s',  # noqa: S608
            [APP, PENDING],
        )
        return cursor.fetchone() is not None


def test_a_pending_migration_is_applied_in_every_town_that_lacks_it(
    towns: list[Collectivite], migrated: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    behind = [towns[0].schema_name, towns[2].schema_name]
    for schema_name in behind:
        undo_pending(schema_name)
        assert not has_index(schema_name) and not recorded(schema_name)
    migrated.clear()

    migrate(verbosity=1)

    for town in towns:
        assert has_index(town.schema_name) and recorded(town.schema_name)
    assert sorted(migrated) == sorted(behind)  # the town that had it was left alone
    assert "2 schemas to migrate: participation.0005_idea_list_indexes" in capsys.readouterr().out


def test_a_run_with_nothing_to_apply_changes_nothing(
    towns: list[Collectivite], migrated: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with CaptureQueriesContext(connection) as queries:
        migrate(verbosity=1)

    assert migrated == []
    statements = [q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries]
    assert set(statements) <= {"SET", "SHOW", "SELECT"}, statements  # no DDL, no write
    # Reading the towns' migrations costs the same whatever their number: the tenants, one
    # query for which schemas have the table, one reading them all, one group's plan.
    reads = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) <= 5, [q["sql"][:80] for q in reads]
    assert f"{len(towns)} had nothing to apply" in capsys.readouterr().out


def test_the_plan_is_the_same_as_djangos_own_for_each_town(towns: list[Collectivite]) -> None:
    """What the executor decides to skip, Django's `migrate --check` agrees is up to date."""
    undo_pending(towns[1].schema_name)
    migrate(verbosity=0)
    for town in towns:
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=town.schema_name,
            check_unapplied=True,
            interactive=False,
            verbosity=0,
        )  # exits 1 if anything were left


def test_a_new_models_content_type_and_permissions_are_made_in_each_town(
    towns: list[Collectivite],
) -> None:
    """post_migrate still runs for what the plan migrated: a model the plan creates gets its
    content type and permissions in every town that lacked it."""
    behind = towns[1].schema_name
    call_command(
        "migrate_schemas",
        APP,
        "0003_merge_consultations_ideas",  # before ConsultationTextReview (0004)
        tenant=True,
        schema_name=behind,
        interactive=False,
        verbosity=0,
    )
    with schema_context(behind):
        ContentType.objects.filter(app_label=APP, model="consultationtextreview").delete()

    migrate(verbosity=0)

    with schema_context(behind):
        kind = ContentType.objects.get(app_label=APP, model="consultationtextreview")
        assert set(
            Permission.objects.filter(content_type=kind).values_list("codename", flat=True)
        ) == {f"{action}_consultationtextreview" for action in ("add", "change", "delete", "view")}
