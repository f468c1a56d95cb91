"""The design system's template pieces: initials, avatar colours readable, icons, progress."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from townsite.setup.contrast import WHITE, contrast_ratio
from townsite.templatetags import ui

ROOT = Path(__file__).resolve().parents[2]
SPRITE = ROOT / "platform" / "static" / "img" / "icons.svg"
SEEDED = ROOT / "mutual_aid" / "migrations" / "0002_seed_categories_help_lines.py"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Claire Martin (mairie)", "CM"),
        ("Jean D.", "JD"),
        ("camille", "C"),
        ("Marie-Hélène Dupont", "MD"),
        ("élodie", "É"),
        ("", "?"),
        ("   ", "?"),
        (None, "?"),
        ("123 456", "?"),
    ],
)
def test_initials(name: str | None, expected: str) -> None:
    assert ui.initials(name) == expected


@pytest.mark.parametrize("colour", ui.AVATAR_COLOURS)
def test_every_avatar_colour_keeps_white_initials_readable(colour: str) -> None:
    assert contrast_ratio(colour, WHITE) >= 4.5


def test_a_name_always_gets_the_same_colour_and_names_spread_over_the_palette() -> None:
    assert ui.avatar_colour("Lucie Moreau") == ui.avatar_colour("Lucie Moreau")
    colours = {ui.avatar_colour(f"Voisin {n}") for n in range(200)}
    assert colours == set(ui.AVATAR_COLOURS)


def test_the_sprite_draws_every_seeded_category_icon() -> None:
    row = re.compile(r'^\s*\("[^"]+", "[^"]+", "(\w+)", (?:True|False)\),', re.M)
    seeded = set(row.findall(SEEDED.read_text()))
    drawn = set(re.findall(r'<symbol id="(\w+)"', SPRITE.read_text()))
    assert len(seeded) == 12
    assert seeded == drawn == ui.ICONS


def test_an_unknown_icon_falls_back_to_other() -> None:
    assert ui.icon_name("licorne") == "autre"
    assert ui.icon_name("panier") == "panier"


def _render(source: str, **context: object) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


def test_the_avatar_is_decorative_and_escapes_nothing_it_should_not() -> None:
    html = _render("{% avatar person 'small' %}", person="<b>Zoé</b> Roux")
    assert 'aria-hidden="true"' in html
    assert ">R<" in html  # "<b>Zoé</b>" does not start with a letter: "Roux" is the only word
    assert "<b>" not in html


def test_the_icon_is_hidden_from_screen_readers() -> None:
    html = _render('{% icon "voiture" %}')
    assert 'aria-hidden="true"' in html and 'focusable="false"' in html
    assert 'href="/static/img/icons.svg#voiture"' in html


def test_progress_caps_the_bar_and_says_the_figures() -> None:
    html = _render("{% progress 250 200 'Objectif' %}")
    assert 'max="200" value="200"' in html
    assert "250" in html and "100 %" in html
    assert 'aria-labelledby="progress-objectif"' in html
    assert 'value="0"' in _render("{% progress 0 0 'Rien' %}")
