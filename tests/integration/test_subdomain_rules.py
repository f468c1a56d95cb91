"""Which subdomains a collectivité may choose: plain DNS labels only."""

from __future__ import annotations

import pytest

from onboarding.services import slug_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", ["chavenay", "saint-martin-32", "l-hay-les-roses", "a1"])
def test_plain_labels_are_accepted(slug: str) -> None:
    assert slug_problem(slug) is None


@pytest.mark.parametrize(
    ("slug", "words"),
    [
        ("xn--chvenay-bya", "deux tirets"),  # punycode: would show as "châvenay"
        ("ab--cd", "deux tirets"),
        ("-chavenay", "minuscules"),
        ("chavenay-", "minuscules"),
        ("chavénay", "minuscules"),
        ("chavenay.fr", "minuscules"),
        ("chave nay", "minuscules"),
        ("a" * 64, "minuscules"),
        ("www", "réservée"),
    ],
)
def test_anything_else_is_refused_with_a_french_reason(slug: str, words: str) -> None:
    problem = slug_problem(slug)
    assert problem is not None and words in str(problem)
