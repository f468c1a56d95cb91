"""The avatars' colours are classes of the design system (the CSP refuses style attributes)."""

from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template

from townsite.templatetags import ui

CSS = Path(__file__).resolve().parents[2] / "platform" / "static" / "css" / "placette.css"


def test_each_avatar_colour_has_its_class_in_the_stylesheet() -> None:
    rules = dict(
        re.findall(
            r"\.avatar--colour-(\d+) \{ background-color: (#[0-9a-f]{6}); \}", CSS.read_text()
        )
    )
    assert rules == {str(index): colour for index, colour in enumerate(ui.AVATAR_COLOURS)}


def test_an_avatar_carries_the_class_of_its_colour_and_no_style() -> None:
    html = Template("{% load ui %}{% avatar 'Lucie Moreau' %}").render(Context())
    index = ui.AVATAR_COLOURS.index(ui.avatar_colour("Lucie Moreau"))
    assert f'class="avatar avatar--colour-{index}"' in html
    assert "style=" not in html
