"""Colour contrast as WCAG 2.x computes it, to keep white text readable on the town's colour."""

from __future__ import annotations

import colorsys
import math
import re

WHITE = "#ffffff"
# WCAG AA asks 4.5:1 for text; 5:1 against white also keeps links in this colour at 4.5:1 on
# the grey cards (#f4f5f7) and the cream banner (#fff4d6) of the design system.
MIN_TEXT_CONTRAST = 5.0
_HEX = re.compile(r"#?([0-9a-f]{6}|[0-9a-f]{3})")

RGB = tuple[int, int, int]


def normalise_hex(text: str) -> str | None:
    """`#1F4FA3`, `1f4fa3` or `#14a` as `#1f4fa3` / `#1144aa`; None when it is not a colour."""
    match = _HEX.fullmatch(text.strip().lower())
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return f"#{digits}"


def to_rgb(colour: str) -> RGB:
    hex_colour = normalise_hex(colour)
    if hex_colour is None:
        raise ValueError(f"not a hex colour: {colour!r}")
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def to_hex(rgb: RGB) -> str:
    return "#" + "".join(f"{max(0, min(255, c)):02x}" for c in rgb)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance: 0 for black, 1 for white."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """From 1 (no contrast) to 21 (black on white); the order of the colours does not matter."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def shown_ratio(ratio: float) -> float:
    """The ratio rounded down to one decimal, so a refused 4.47 never shows as "4.5"."""
    return math.floor(ratio * 10) / 10


def darker_suggestion(colour: str, minimum: float = MIN_TEXT_CONTRAST) -> str:
    """The same hue, darkened just enough for white text to reach `minimum`."""
    r, g, b = (c / 255 for c in to_rgb(colour))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    while lightness > 0:
        red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
        candidate = to_hex((round(red * 255), round(green * 255), round(blue * 255)))
        if contrast_ratio(candidate, WHITE) >= minimum:
            return candidate
        lightness = max(0.0, lightness - 0.01)
    return "#000000"
