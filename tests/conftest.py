"""Fixtures for every suite: the public schema and two ready towns, A and B, built once.

Each test runs in a transaction (pytest-django's `db`), so what a test writes, in any schema,
is rolled back. The towns and one committed resident each are made once per session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context
from pytest_django.plugin import blocking_manager_key

from accounts.factories import TEST_PASSWORD, AdminFactory, ModeratorFactory, UserFactory
from accounts.models import User
from accounts.services import create_member
from billing.services import start_trial
from config import devservices
from tenants import directory, schema
from tenants.models import Collectivite
from tenants.services import provision_collectivite
from tenants.template_schema import ensure_template_schema

devservices.ensure_running()

pytest_plugins = [
    "tests.billing_fixtures",
    "tests.notification_fixtures",
    "tests.moderation_fixtures",
    "tests.mutual_aid_support",
    "tests.ops_support",
]

TOWNS = {
    "a": {"slug": "town-a", "name": "Villeneuve-les-Tests", "official_code": "99001"},
    "b": {"slug": "town-b", "name": "Bourg-sur-Essai", "official_code": "99002"},
}


def committed_resident_email(town: Collectivite) -> str:
    """A resident made once per session in each town, committed (seen by other threads)."""
    return f"resident@{town.slug}.example"


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest, django_test_environment: None, django_db_blocker: Any
) -> Iterator[None]:
    """The test database, always (pytest-django would skip it when no collected test is
    marked django_db, and a run of threaded tests would then write to the development one)."""
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        db_config = setup_databases(verbosity=verbosity, interactive=False, aliases={"default": {}})
        assert connection.settings_dict["NAME"].startswith("test_"), "not a test database"
        cache.clear()  # the test Redis database: no host map from an earlier run survives
        directory.forget_local_hosts()
        ensure_template_schema()
        for key, fields in TOWNS.items():
            town = provision_collectivite(kind=Collectivite.Kind.COMMUNE, population=1500, **fields)
            start_trial(town)
            with schema_context(town.schema_name):
                create_member(
                    email=committed_resident_email(town),
                    display_name=f"Résidente {key.upper()}",
                    password=TEST_PASSWORD,
                )
    yield
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            # Connections left by other threads or contexts (the browser tests' server,
            # Playwright's greenlet) would stop the test database from being dropped.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        teardown_databases(db_config, verbosity=verbosity)


@pytest.fixture(autouse=True)
def _mail_through_celery(settings: Any) -> None:
    """pytest-django turns every mailer into locmem; put our Celery mailer back in front of it,
    so tests see mail only once the transaction commits and the task delivers it."""
    settings.MAILERS = {
        "default": {"BACKEND": "accounts.mail.CeleryEmailBackend"},
        "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }


@pytest.fixture(autouse=True)
def _clean_slate_after_each_test() -> Iterator[None]:
    """The database rolls back after a test; Redis and the in-memory host map do not."""
    yield
    schema.activate_public()
    cache.clear()
    directory.forget_local_hosts()


@pytest.fixture
def town_a(db: None) -> Collectivite:
    return Collectivite.objects.get(slug=TOWNS["a"]["slug"])


@pytest.fixture
def town_b(db: None) -> Collectivite:
    return Collectivite.objects.get(slug=TOWNS["b"]["slug"])


def _member(town: Collectivite, factory: Any, **fields: Any) -> User:
    with schema_context(town.schema_name):
        return factory(**fields)


@pytest.fixture
def resident_a(town_a: Collectivite) -> User:
    return _member(town_a, UserFactory)


@pytest.fixture
def moderator_a(town_a: Collectivite) -> User:
    return _member(town_a, ModeratorFactory)


@pytest.fixture
def admin_a(town_a: Collectivite) -> User:
    return _member(town_a, AdminFactory)


@pytest.fixture
def resident_b(town_b: Collectivite) -> User:
    return _member(town_b, UserFactory)


@pytest.fixture
def moderator_b(town_b: Collectivite) -> User:
    return _member(town_b, ModeratorFactory)


@pytest.fixture
def admin_b(town_b: Collectivite) -> User:
    return _member(town_b, AdminFactory)


@pytest.fixture
def admin(client_for: Callable[..., Client], town_a: Collectivite, admin_a: User) -> Client:
    """Town A's admin, logged in on town A's site."""
    return client_for(town_a, admin_a)


@pytest.fixture
def client_for(db: None) -> Callable[..., Client]:
    """`client_for(town)` is a guest of that town's site; `client_for(town, user)` is logged in.

    `client_for(None)` is a visitor of the public site on the root domain.
    """

    def make(town: Collectivite | None, user: User | None = None) -> Client:
        host = town.primary_host if town else settings.ROOT_DOMAIN
        client = Client(HTTP_HOST=host)
        if user is not None:
            schema = town.schema_name if town else "public"
            with schema_context(schema):
                client.force_login(user)
        return client

    return make


@pytest.fixture
def public_client(client_for: Callable[..., Client]) -> Client:
    return client_for(None)


# A PostgreSQL backend never gives back the catalog entries it caches: each town a test
# creates (and rolls back) leaves its tables' entries behind, and a backend kept for the whole
# session grew past 700 MB and slowed every later test down (setting up a town: 1 s alone,
# 10 s late in the run). Past this size, the connection is closed between two tests and the
# next test starts on a fresh backend.
BACKEND_MEMORY_LIMIT = 64 * 1024 * 1024


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield  # every fixture torn down: the test's transaction is rolled back
    if connection.connection is None or connection.in_atomic_block:
        return
    with item.config.stash[blocking_manager_key].unblock():
        with connection.cursor() as cursor:
            cursor.execute("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")
            (used,) = cursor.fetchone()
        if used and used > BACKEND_MEMORY_LIMIT:
            connection.close()
