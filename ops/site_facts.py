"""What a town's own schema says about its site, for its page in the console (the modules it
runs, ...). The console may not import the apps above it, so each registers its reader here
from its AppConfig.ready; the tenant page calls them with the town's schema active."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

# (label, value) lines, read in the active town schema.
Reader = Callable[[], list[tuple[str | Promise, str | Promise]]]


@dataclass(frozen=True)
class Fact:
    name: str
    label: str | Promise  # the heading of its lines on the tenant page
    read: Reader


_facts: dict[str, Fact] = {}


def register(name: str, label: str | Promise, read: Reader) -> None:
    """Registering a name again replaces it (reloads, tests)."""
    _facts[name] = Fact(name, label, read)


def read_all() -> list[tuple[Fact, list[tuple[str | Promise, str | Promise]]]]:
    """Every registered fact with its lines, in the active town schema."""
    return [(fact, fact.read()) for fact in _facts.values()]
