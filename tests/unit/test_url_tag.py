"""`{% url %}` keeps Django's meaning while it remembers the links without arguments."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_urlconf

from tenants.templatetags.urls import MemoURLNode


def _render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_the_url_tag_is_ours_and_gives_what_reverse_gives() -> None:
    template = Template("{% url 'account_login' %}")
    assert isinstance(template.nodelist[0], MemoURLNode)
    assert template.render(Context()) == reverse("account_login")


def test_each_url_configuration_gets_its_own_links() -> None:
    try:
        set_urlconf(settings.ROOT_URLCONF)  # a town's site
        in_town = _render("{% url 'mutual_aid:list' %}")
        set_urlconf(settings.PUBLIC_SCHEMA_URLCONF)
        with pytest.raises(NoReverseMatch):  # the public site has no mutual aid
            _render("{% url 'mutual_aid:list' %}")
    finally:
        set_urlconf(None)
    assert in_town == "/entraide/"


def test_links_with_arguments_and_as_var_are_djangos() -> None:
    try:
        set_urlconf(settings.ROOT_URLCONF)
        assert _render("{% url 'mutual_aid:detail' pk %}", pk=7) == "/entraide/7/"
        assert _render("{% url 'mutual_aid:detail' 8 %}") == "/entraide/8/"
        assert _render("{% url 'nowhere' as link %}[{{ link }}]") == "[]"
    finally:
        set_urlconf(None)
