"""The tenants list's rows, written straight from the page's 50 tenants.

Django admin's `result_list` looks every cell up through `lookup_field` and `format_html`: for 50
rows of 11 columns that is most of the page's time. The columns here are fixed, so each row is
one string made from the values the list's single query already read. The headers (sorting
links) stay the admin's own.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from django import template
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR, ChangeList
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from billing.models import BillingAccount
from ops.tenants_admin import LISTED_COLUMNS
from tenants.models import Collectivite

register = template.Library()
# Dates do not wrap, as in the admin's own cells.
NOWRAP = frozenset({"trial_end", "last_activity", "created_at"})


# The numeric parts of Django's date formats, as strftime writes them without a lookup each.
STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M", "s": "%S"}


# What a numeric format may hold besides its fields: what it writes needs no escaping.
SEPARATORS = frozenset(" /.:-,\u00a0\u202f")


def _strftime(django_format: str) -> str | None:
    """The strftime pattern of a numeric Django format ("d/m/Y H:i"), None for any other."""
    out = []
    for char in django_format:
        if char in STRFTIME:
            out.append(STRFTIME[char])
        elif char in SEPARATORS:
            out.append(char)
        else:
            return None
    return "".join(out)


def _labels(choices: list[tuple[str, Any]]) -> dict[str, str]:
    return {value: escape(str(label)) for value, label in choices}


class _Cells:
    """What every row of one page shares, worked out once: the choices' labels in the page's
    language, escaped; the time zone and the date format (the models' `get_…_display` and
    `formats.localize` look them up again for each of the 50 rows). Each cell comes out as
    HTML."""

    def __init__(self, empty: str) -> None:
        self.empty = escape(empty)
        self.kinds = _labels(Collectivite.Kind.choices)
        self.statuses = _labels(Collectivite.Status.choices)
        self.billing = _labels(BillingAccount.Status.choices)
        self.zone = timezone.get_current_timezone()
        # Short, numeric forms: a dense table reads them faster, and no month name is looked up.
        self.date_format = formats.get_format("SHORT_DATE_FORMAT")
        self.datetime_format = formats.get_format("SHORT_DATETIME_FORMAT")

        self.strftime = {False: _strftime(self.date_format), True: _strftime(self.datetime_format)}

    def date(self, value: datetime | None, *, time: bool = False) -> str:
        if value is None:
            return self.empty
        local = value.astimezone(self.zone)
        pattern = self.strftime[time]
        if pattern is None:
            return escape(
                dateformat.format(local, self.datetime_format if time else self.date_format)
            )
        return local.strftime(pattern)  # digits and separators only

    def number(self, value: int | None) -> str:
        return self.empty if value is None else escape(formats.number_format(value))

    def of(self, town: dict[str, Any]) -> dict[str, str]:
        empty = self.empty
        billing = town["billing_account__status"]
        plan = town["billing_account__plan__name"]
        return {
            "kind": self.kinds.get(town["kind"]) or escape(town["kind"]),
            "departement": escape(town["departement_code"] or "") or empty,
            "population": self.number(town["population"]),
            "status": self.statuses.get(town["status"]) or escape(town["status"]),
            "billing_status": empty
            if billing is None
            else self.billing.get(billing) or escape(billing),
            "trial_end": self.date(town["billing_account__trial_ends_at"]),
            "plan": empty if plan is None else escape(plan),
            "active_residents": self.number(town["figures__active_residents_30d"]),
            "last_activity": self.date(town["figures__last_activity_at"], time=True),
            "created_at": self.date(town["created_at"]),
        }


def _nowrap(name: str, value: str, empty: str) -> str:
    return " nowrap" if name in NOWRAP and value != empty else ""


def _row(town: dict[str, Any], url: str, columns: list[str], cells: _Cells) -> str:
    values = cells.of(town)
    html = "".join(
        f'<td class="field-{name}{_nowrap(name, values[name], cells.empty)}">{values[name]}</td>'
        for name in columns
    )
    name = escape(town["name"])
    return f'<tr><th class="field-name"><a href="{url}">{name}</a></th>{html}</tr>'


@register.inclusion_tag("ops/tenants_results.html")
def tenant_rows(cl: ChangeList) -> dict[str, Any]:
    headers = list(result_headers(cl))
    cells = _Cells(cl.model_admin.get_empty_value_display())
    # One reverse for the page: every row's link differs only by its key.
    url = reverse("ops:tenant", args=[0], current_app=cl.model_admin.admin_site.name)
    prefix = url.removesuffix("0/")
    columns = [str(name) for name in cl.list_display[1:]]  # the first, the name, is the row's link
    # The page's rows as plain values: 50 rows of three models are not worth building.
    towns = list(cl.result_list.values("pk", "departement_code", *LISTED_COLUMNS))
    rows = "\n".join(_row(town, f"{prefix}{town['pk']}/", columns, cells) for town in towns)
    return {
        "cl": cl,
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "rows": mark_safe(rows),  # noqa: S308  (every value above is escaped)
        "has_rows": bool(towns),
    }


def _filter_field(spec: Any) -> tuple[str, list[tuple[Any, Any]], str]:
    """A list filter as one select: its parameter, its choices, the value chosen."""
    if isinstance(spec, admin.SimpleListFilter):
        return str(spec.parameter_name), list(spec.lookup_choices), spec.value() or ""
    if isinstance(spec, admin.ChoicesFieldListFilter):
        choices = list(spec.field.flatchoices)
    elif isinstance(spec, admin.RelatedFieldListFilter):
        choices = list(spec.lookup_choices)
    else:  # a filter of another kind would need its own reading: say so rather than drop it
        raise TypeError(f"The tenants list cannot show a {type(spec).__name__} as a select")
    chosen = spec.lookup_val
    if isinstance(chosen, list):
        chosen = chosen[-1] if chosen else None
    return spec.lookup_kwarg, choices, "" if chosen is None else str(chosen)


def _select(spec: Any, everything: str) -> str:
    name, choices, chosen = _filter_field(spec)
    options = "".join(
        f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>'
        f"{escape(str(label))}</option>"
        for value, label in choices
    )
    field = f"ops-filter-{escape(name)}"
    return (
        f'<div class="ops-list-filter"><label for="{field}">{escape(str(spec.title).capitalize())}'
        f'</label><select id="{field}" name="{escape(name)}">'
        f'<option value=""{"" if chosen else " selected"}>{escape(everything)}</option>'
        f"{options}</select></div>"
    )


@register.simple_tag
def tenant_filters(cl: ChangeList) -> str:
    """The search box and every filter in one form: a person picks a département and a status
    and sends them together, where the admin's sidebar reloads the page for each link. The
    sorting is kept; the page number is not (the list it numbered has changed)."""
    selects = "".join(_select(spec, gettext("All")) for spec in cl.filter_specs)
    ordering = cl.params.get(ORDER_VAR)
    kept = (
        f'<input type="hidden" name="{ORDER_VAR}" value="{escape(ordering)}">' if ordering else ""
    )
    help_text = escape(str(cl.model_admin.search_help_text))
    searched = escape(cl.query)
    reset = (
        f'<a class="ops-list-reset" href="{escape(cl.get_query_string(remove=list(cl.params)))}">'
        f"{escape(gettext('Clear all filters'))}</a>"
        if cl.params
        else ""
    )
    return mark_safe(  # noqa: S308  (every value is escaped above)
        f'<form id="changelist-search" class="ops-list-form" method="get" role="search">'
        f'<div class="ops-list-search"><label for="searchbar">{escape(gettext("Search"))}</label>'
        f'<input type="search" id="searchbar" name="{SEARCH_VAR}" value="{searched}" '
        f'aria-describedby="searchbar_helptext"><div class="help" id="searchbar_helptext">'
        f"{help_text}</div></div>"
        f'<fieldset class="ops-list-filters"><legend>{escape(gettext("Filter"))}</legend>'
        f"{selects}</fieldset>{kept}"
        f'<div class="ops-list-submit"><button type="submit" class="button">'
        f"{escape(gettext('Search'))}</button>{reset}</div></form>"
    )


@register.simple_tag
def tenant_pages(cl: ChangeList) -> str:
    """How many collectivités match, and the way to the first, previous, next and last pages."""
    count = cl.result_count
    summary = escape(
        ngettext("%(count)s collectivité", "%(count)s collectivités", count)
        % {"count": formats.number_format(count)}
    )
    links = []
    if cl.multi_page:
        last = cl.paginator.num_pages
        current = cl.page_num

        def link(label: str, page: int) -> str:
            href = escape(cl.get_query_string({PAGE_VAR: page}))
            return f'<a href="{href}">{escape(label)}</a>'

        if current > 1:
            links += [link(gettext("First page"), 1), link(gettext("Previous page"), current - 1)]
        where = gettext("Page %(page)s of %(pages)s") % {"page": current, "pages": last}
        links.append(f'<span aria-current="page">{escape(where)}</span>')
        if current < last:
            links += [link(gettext("Next page"), current + 1), link(gettext("Last page"), last)]
    return mark_safe(  # noqa: S308  (escaped above)
        f'<nav class="paginator" aria-label="{escape(gettext("Pages"))}"><p>{summary}</p>'
        f"{' '.join(links)}</nav>"
    )
