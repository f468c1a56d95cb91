"""One of each: one field partial, one list of EPCI name prefixes, one intercommunalité test."""

from __future__ import annotations

import ast

from tenants.models import Collectivite
from tests.unit.test_layers import FLOORS, ROOT, python_files


def test_every_app_renders_its_fields_with_the_one_shared_partial() -> None:
    partials = sorted(
        path.relative_to(ROOT).as_posix() for path in ROOT.glob("*/templates/**/_field.html")
    )
    assert partials == ["platform/templates/_field.html"]


def test_the_epci_name_prefixes_are_listed_once() -> None:
    definitions = [
        path.relative_to(ROOT).as_posix()
        for app in FLOORS
        for path in python_files(app)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Assign)
        and any(getattr(target, "id", "") == "EPCI_PREFIXES" for target in node.targets)
    ]
    assert definitions == ["onboarding/services.py"]


def test_a_collectivite_says_whether_it_is_an_intercommunalite() -> None:
    assert Collectivite(kind=Collectivite.Kind.INTERCOMMUNALITE).is_intercommunalite
    assert not Collectivite(kind=Collectivite.Kind.COMMUNE).is_intercommunalite
