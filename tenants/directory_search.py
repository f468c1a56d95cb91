"""Text normalisation shared by the directory's stored search names and by search queries."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[-‐‑‒–—'’ʼ`´]")
_WHITESPACE = re.compile(r"\s+")
# Ligatures that NFKD does not decompose.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def normalize_search_text(text: str) -> str:
    """Lowercase, strip accents, turn hyphens and apostrophes into spaces, collapse spaces.

    >>> normalize_search_text("Saint-Étienne")
    'saint etienne'
    >>> normalize_search_text("  L'Haÿ-les-Roses ")
    'l hay les roses'
    """
    text = text.translate(_LIGATURES)
    text = _SEPARATORS.sub(" ", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _WHITESPACE.sub(" ", ascii_text).strip().lower()
