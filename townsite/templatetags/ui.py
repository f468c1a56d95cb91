"""Design-system pieces every page may use: `{% load ui %}` then `{% avatar person %}`,
`{{ name|initials }}`, `{% icon "panier" %}`, `{% empty_state ... %}`, `{% progress ... %}`."""

from __future__ import annotations

import functools
import zlib
from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# Background colours of the avatars, each at least 4.5:1 (WCAG AA) under white initials
# (tests/unit/test_ui_tags.py checks it): the colour tells people apart, never carries meaning.
AVATAR_COLOURS = (
    "#1f4fa3",
    "#1e6b34",
    "#7a3d00",
    "#6b2c91",
    "#a4161a",
    "#00606b",
    "#5c4a00",
    "#3d4f5c",
    "#8a1c5a",
    "#2e5e4e",
)

# One drawing per Category.icon value seeded by mutual_aid's migration 0002 (the sprite
# platform/static/img/icons.svg); a value a town typed that has no drawing shows "autre".
ICONS = frozenset(
    {
        "enfant",
        "panier",
        "coeur",
        "ordinateur",
        "outil",
        "plante",
        "boite",
        "voiture",
        "sac",
        "patte",
        "tasse",
        "autre",
    }
)
FALLBACK_ICON = "autre"


@register.filter
def initials(name: Any) -> str:
    """Up to two letters: "Claire Martin (mairie)" gives "CM", "Jean D." "JD", "" "?"."""
    words = [word for word in str(name or "").replace("-", " ").split() if word[:1].isalpha()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@register.filter
def avatar_colour(name: Any) -> str:
    """The same colour for the same name on every page and every visit."""
    return AVATAR_COLOURS[_avatar_colour_index(name)]


def _avatar_colour_index(name: Any) -> int:
    # The page's CSP refuses style attributes: each colour is a class of placette.css.
    return zlib.crc32(str(name or "").encode()) % len(AVATAR_COLOURS)


@register.filter
def icon_name(value: Any) -> str:
    return value if value in ICONS else FALLBACK_ICON


# avatar and icon are simple tags, not inclusion tags: a list page draws 40 of them, and a
# template each would cost more than the rest of a card.
@register.simple_tag
def avatar(person: Any, size: str = "") -> SafeString:
    """A person's initials on their colour; decorative (their name is always written next to it).
    `person` is a user (its display name) or a name; None is a former resident."""
    name = getattr(person, "display_name", person) if person is not None else ""
    return format_html(
        '<span class="avatar avatar--colour-{}{}" aria-hidden="true">{}</span>',
        _avatar_colour_index(name),
        f" avatar--{size}" if size else "",
        initials(name),
    )


@register.simple_tag
def icon(name: Any, extra_class: str = "") -> SafeString:
    """A decorative drawing from the sprite (hidden from screen readers: text says the same)."""
    return format_html(
        '<svg class="icon{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        f" {extra_class}" if extra_class else "",
        _sprite_url(),
        icon_name(name),
    )


@functools.cache
def _sprite_url() -> str:
    return static("img/icons.svg")


@register.inclusion_tag("ui/_empty_state.html")
def empty_state(
    title: Any, text: Any = "", action_url: str = "", action_label: Any = "", icon: str = ""
) -> dict[str, Any]:
    """Nothing to show yet: say so, and what to do first (one button)."""
    return {
        "title": title,
        "text": text,
        "action_url": action_url,
        "action_label": action_label,
        "icon_href": f"{static('img/icons.svg')}#{icon_name(icon)}" if icon else "",
    }


@register.inclusion_tag("ui/_progress.html")
def progress(value: Any, maximum: Any, label: Any) -> dict[str, Any]:
    """A labelled bar (native <progress>, read by screen readers) with the figures in words."""
    value, maximum = max(0, int(value or 0)), max(0, int(maximum or 0))
    percent = min(100, round(100 * value / maximum)) if maximum else 0
    return {"value": value, "maximum": maximum, "percent": percent, "label": label}
