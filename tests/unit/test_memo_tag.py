"""`{% memo %}` reuses what it rendered only for the same values, schema and language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.template import Context, Template
from django.utils import translation
from django_tenants.utils import schema_context

from tenants.templatetags import memo

SOURCE = "{% load memo %}{% memo 'part' name %}{{ name }} {{ counter.next }}{% endmemo %}"


class Counter:
    def __init__(self) -> None:
        self.renders = 0

    def next(self) -> int:
        self.renders += 1
        return self.renders


@pytest.fixture(autouse=True)
def _empty() -> Iterator[None]:
    memo.forget_all()
    yield
    memo.forget_all()


def _render(counter: Counter, name: object) -> str:
    return Template(SOURCE).render(Context({"name": name, "counter": counter}))


def test_the_same_values_reuse_the_part_and_new_values_render_it() -> None:
    counter = Counter()
    assert _render(counter, "Alice") == "Alice 1"
    assert _render(counter, "Alice") == "Alice 1"
    assert _render(counter, "Bob") == "Bob 2"
    assert counter.renders == 2


def test_another_schema_or_language_renders_its_own() -> None:
    counter = Counter()
    _render(counter, "Alice")
    with translation.override("en"):
        assert _render(counter, "Alice") == "Alice 2"
    with schema_context("t_other_town"):  # no query: only the connection's schema name
        assert _render(counter, "Alice") == "Alice 3"


def test_a_value_that_cannot_be_a_key_renders_each_time() -> None:
    counter = Counter()
    assert _render(counter, ["a"]).endswith(" 1")
    assert _render(counter, ["a"]).endswith(" 2")


def test_the_memory_is_bounded() -> None:
    counter = Counter()
    for number in range(memo.MAX_ENTRIES + 10):
        _render(counter, number)
    assert len(memo._rendered) == memo.MAX_ENTRIES
