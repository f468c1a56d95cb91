"""`{% memo "name" value ... %}…{% endmemo %}`: a part of a page rendered once per process for
each set of values it names, then reused.

For the parts every page repeats (the header's menu, the footer): what they show must follow
only from the values named (and the schema, the language, which the key always carries), so
the same values can only give the same text. Nothing there may differ between two requests
with the same values: no CSRF token, no flash message, no request path. An entry is never
stale, only unused; the least used are dropped past MAX_ENTRIES.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

from cachetools import LRUCache
from django import template
from django.db import connection
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.context import Context
from django.utils import translation

register = template.Library()

MAX_ENTRIES = 4096
_rendered: LRUCache[tuple[Hashable, ...], str] = LRUCache(maxsize=MAX_ENTRIES)
_lock = threading.Lock()


class MemoNode(Node):
    def __init__(self, nodelist: NodeList, values: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.values = values

    def render(self, context: Context) -> str:
        key = (
            connection.schema_name,  # type: ignore[attr-defined]  # django-tenants
            translation.get_language(),
            *(value.resolve(context) for value in self.values),
        )
        try:
            with _lock:
                found = _rendered.get(key)
        except TypeError:  # a value that cannot be a key: rendered each time
            return self.nodelist.render(context)
        if found is None:
            found = self.nodelist.render(context)
            with _lock:
                _rendered[key] = found
        return found


@register.tag
def memo(parser: Parser, token: Token) -> MemoNode:
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% memo %} needs a name, then the values it shows.")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, [parser.compile_filter(bit) for bit in bits])


def forget_all() -> None:
    with _lock:
        _rendered.clear()
