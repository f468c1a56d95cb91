"""Login names from the town hall desk: readable aloud, typed as people type them."""

from __future__ import annotations

import re

import pytest

from accounts import login_names
from tenants.names import of_name


@pytest.mark.parametrize(
    ("display_name", "letters"),
    [
        ("Jeanne Dupont", "dupont"),
        ("Bénédicte Lefèvre-Durand", "lefevredurand"),
        ("Marie Vandenbroucke-Delacroix", "vandenbrouckedel"),
        ("Jean D.", "jean"),
        ("  Zoé  ", "zoe"),
        ("06 12 34", "habitant"),
    ],
)
def test_the_name_part_is_the_last_name_in_plain_letters(display_name: str, letters: str) -> None:
    assert login_names.name_part(display_name) == letters


def test_a_login_name_has_no_digit_that_reads_as_a_letter() -> None:
    for _ in range(200):
        login_name = login_names.generate("Jeanne Dupont")
        assert re.fullmatch(r"dupont-[2-9]{4}", login_name), login_name


@pytest.mark.parametrize(
    "typed",
    ["dupont-4827", "DUPONT 4827", "Dupont4827", " dupônt – 4827 ", "dup0nt-4827", "dupont.4827"],
)
def test_what_people_type_finds_the_login_name(typed: str) -> None:
    assert login_names.normalise(typed) == "dupont-4827"


@pytest.mark.parametrize(
    "typed", ["dupont@example.org", "dupont", "4827", "dupont-482", "dupont-4801", "d-4827", ""]
)
def test_anything_else_is_not_a_login_name(typed: str) -> None:
    assert login_names.normalise(typed) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Chavenay", "de Chavenay"),
        ("Ablis", "d’Ablis"),
        ("Épône", "d’Épône"),
        ("Le Mans", "du Mans"),
        ("Les Mureaux", "des Mureaux"),
        ("La Rochelle", "de La Rochelle"),
        ("L'Haÿ-les-Roses", "de L'Haÿ-les-Roses"),
    ],
)
def test_a_town_hall_is_named_with_french_grammar(name: str, expected: str) -> None:
    assert of_name(name) == expected
