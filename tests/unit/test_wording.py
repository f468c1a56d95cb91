"""One voice in French: the words our catalog and templates must never use.

The rule for people's gender: no median point ("connecté·e") nor "(e)"; say it so that nobody's
gender is needed ("Vous êtes bien dans votre compte"), and name team roles by what they do
("Administration", "Modération"). The email field is an "Adresse e-mail", never a "Courriel"
(Django's own French word for it), and allauth's default sentences are replaced by ours.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "platform" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
APPS = ("accounts", "billing", "onboarding", "tenants", "townsite", "platform")

BANNED = {
    "Courriel": re.compile(r"courriel", re.IGNORECASE),
    "median point (·)": re.compile(r"\w·\w"),
    "inclusive (e)": re.compile(r"\w\(e\)|\w\(es\)"),
    "allauth's “merci de vous enregistrer au préalable”": re.compile(r"au préalable"),
}


def french_texts() -> list[tuple[str, str]]:
    """(where, text) of every French msgstr of our catalog."""
    texts = []
    for number, block in enumerate(CATALOG.read_text(encoding="utf-8").split("\n\n")):
        _msgid, found, msgstr = block.partition("\nmsgstr")
        text = "".join(re.findall(r'"(.*)"', msgstr)) if found else ""
        if text:
            texts.append((f"{CATALOG.name}, entry {number}", text))
    return texts


def template_texts() -> list[tuple[str, str]]:
    files = [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*")
        if path.suffix in (".html", ".txt") and "templates" in path.parts
    ]
    return [(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")) for path in files]


def test_there_is_something_to_read() -> None:
    assert len(french_texts()) > 500
    assert len(template_texts()) > 50


@pytest.mark.parametrize("banned", list(BANNED))
def test_no_banned_form_in_the_french_catalog_or_templates(banned: str) -> None:
    pattern = BANNED[banned]
    found = [
        f"{where}: {pattern.search(text).group(0)!r}"  # type: ignore[union-attr]
        for where, text in french_texts() + template_texts()
        if pattern.search(text)
    ]
    assert not found, f"{banned} found:\n" + "\n".join(found)
