"""The consultation's context: a small allow-listed subset of HTML, cleaned by nh3 when saved."""

from __future__ import annotations

import nh3

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3"}
ATTRIBUTES = {"a": {"href"}}
# javascript:, data: and the like never reach the page.
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitise(html: str) -> str:
    """Only the allowed tags and links survive; anything else is dropped (its text kept,
    except inside script and style). Links open as plain links, with rel="noopener noreferrer"."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
