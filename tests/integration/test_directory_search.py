"""Finding one's commune among homonyms, on the full official directory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client

from onboarding import directory
from tenants.management.commands.load_reference_data import load_extract, newest_extract

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def full_directory(django_db_setup: None, django_db_blocker: pytest.FixtureDef) -> Iterator[None]:
    """The whole extract, loaded once for this module in a transaction rolled back after it
    (each test's own transaction is a savepoint inside), so no other test sees it."""
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        load_extract(newest_extract())
        yield
        transaction.set_rollback(True)


def _found(query: str) -> list[tuple[str, str, str]]:
    return [(e.name, e.departement, e.code) for e in directory.search(query).entries]


def test_every_commune_named_exactly_saint_martin_comes_first(full_directory: None) -> None:
    results = directory.search("Saint-Martin")
    exact = [e for e in results.entries if e.name == "Saint-Martin"]
    assert sorted(e.code for e in exact) == ["32389", "54480", "65392", "67426", "97801"]
    assert results.entries[: len(exact)] == exact
    assert {e.departement_name for e in exact} >= {"Gers", "Meurthe-et-Moselle"}
    assert results.total > len(results.entries) and results.more == results.total - len(
        results.entries
    )


@pytest.mark.parametrize(
    "query", ["Saint-Martin 32", "saint martin gers", "Saint-Martin (Gers)", "St Martin 32300"]
)
def test_a_departement_or_a_postcode_in_the_query_filters(full_directory: None, query: str) -> None:
    found = _found(query)
    if query.startswith("St "):
        assert found == []  # "St" is not how the directory writes it: nothing is guessed
    else:
        assert found[0] == ("Saint-Martin", "32", "32389")
        assert {departement for _name, departement, _code in found} == {"32"}


def test_a_postcode_lists_its_communes_before_the_commune_with_that_insee_code(
    full_directory: None,
) -> None:
    found = _found("35133")
    assert found[-1] == ("Iffendic", "35", "35133")
    assert len(found) == 16 and all(code != "35133" for _n, _d, code in found[:-1])


def test_the_results_show_departement_postcode_insee_code_and_how_many_more(
    full_directory: None,
) -> None:
    page = Client(HTTP_HOST="localhost").get("/essai/", {"q": "Saint-Martin"}).content.decode()
    assert "Gers (32)" in page and "code postal 32300" in page and "code INSEE 32389" in page
    more = directory.search("Saint-Martin").more
    assert f"{more} autres ne sont pas affichées" in page
