"""`{% url %}` as Django's, with the links that take no argument worked out once per process.

A page's header and menus name a dozen such links ("mutual_aid:list", "account_logout"):
reversing each on every request was a tenth of a busy page's time. What a name without
arguments reverses to depends only on the URL configuration in use (the town's or the public
site's), the script prefix and the current application namespace: the memo's key. Links with
arguments, and `{% url ... as var %}`, are Django's own unchanged.

Installed as a template builtin (settings.TEMPLATE_BUILTINS), after Django's: it replaces
the `url` tag everywhere, with the same syntax.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

_reversed: dict[tuple[Any, ...], str] = {}


class MemoURLNode(URLNode):
    def render(self, context: Context) -> str:
        if self.args or self.kwargs or self.asvar:
            return super().render(context)
        view_name = self.view_name.resolve(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        key = (
            view_name,
            current_app,
            get_urlconf() or settings.ROOT_URLCONF,
            get_script_prefix(),
        )
        url = _reversed.get(key)
        if url is None:
            url = _reversed[key] = reverse(view_name, current_app=current_app)
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> URLNode:
    node = django_url(parser, token)
    return MemoURLNode(node.view_name, node.args, node.kwargs, node.asvar)


def _forget(**kwargs: Any) -> None:
    _reversed.clear()


setting_changed.connect(_forget, dispatch_uid="tenants_templatetags_urls_forget")
