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
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.safestring import mark_safe

from billing.models import BillingAccount
from ops.tenants_admin import billing_account, figures
from tenants.models import Collectivite

register = template.Library()
# Dates do not wrap, as in the admin's own cells.
NOWRAP = frozenset({"trial_end", "last_activity", "created_at"})


# The numeric parts of Django's date formats, as strftime writes them without a lookup each.
STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M", "s": "%S"}


def _strftime(django_format: str) -> str | None:
    """The strftime pattern of a numeric Django format ("d/m/Y H:i"), None for any other."""
    out = []
    for char in django_format:
        if char.isalpha():
            if char not in STRFTIME:
                return None
            out.append(STRFTIME[char])
        else:
            out.append(char.replace("%", "%%"))
    return "".join(out)


class _Cells:
    """What every row of one page shares, worked out once: the choices' labels in the page's
    language and the date format (the models' `get_…_display` and `formats.localize` look
    them up again for each of the 50 rows)."""

    def __init__(self, empty: str) -> None:
        self.empty = empty
        self.kinds = {value: str(label) for value, label in Collectivite.Kind.choices}
        self.statuses = {value: str(label) for value, label in Collectivite.Status.choices}
        self.billing = {value: str(label) for value, label in BillingAccount.Status.choices}
        # Short, numeric forms: a dense table reads them faster, and no month name is looked up.
        self.date_format = formats.get_format("SHORT_DATE_FORMAT")
        self.datetime_format = formats.get_format("SHORT_DATETIME_FORMAT")

        self.strftime = {False: _strftime(self.date_format), True: _strftime(self.datetime_format)}

    def date(self, value: datetime | None, *, time: bool = False) -> str:
        if value is None:
            return self.empty
        local = timezone.localtime(value)
        pattern = self.strftime[time]
        if pattern is None:
            return dateformat.format(local, self.datetime_format if time else self.date_format)
        return local.strftime(pattern)

    def number(self, value: int | None) -> str:
        return self.empty if value is None else formats.number_format(value)

    def of(self, town: Any) -> dict[str, str]:
        account = billing_account(town)
        shown = figures(town)
        empty = self.empty
        return {
            "kind": self.kinds.get(town.kind, town.kind),
            "departement": town.departement_code or empty,
            "population": self.number(town.population),
            "status": self.statuses.get(town.status, town.status),
            "billing_status": self.billing.get(account.status, account.status)
            if account
            else empty,
            "trial_end": self.date(account.trial_ends_at if account else None),
            "plan": str(account.plan) if account and account.plan else empty,
            "active_residents": self.number(shown.active_residents_30d if shown else None),
            "last_activity": self.date(shown.last_activity_at if shown else None, time=True),
            "created_at": self.date(town.created_at),
        }


def _nowrap(name: str, value: str, empty: str) -> str:
    return " nowrap" if name in NOWRAP and value != empty else ""


def _row(town: Any, url: str, columns: list[str], cells: _Cells) -> str:
    values = cells.of(town)
    html = "".join(
        f'<td class="field-{name}{_nowrap(name, values[name], cells.empty)}">'
        f"{escape(values[name])}</td>"
        for name in columns
    )
    name = escape(town.name)
    return f'<tr><th class="field-name"><a href="{url}">{name}</a></th>{html}</tr>'


@register.inclusion_tag("ops/tenants_results.html")
def tenant_rows(cl: ChangeList) -> dict[str, Any]:
    headers = list(result_headers(cl))
    cells = _Cells(cl.model_admin.get_empty_value_display())
    # One reverse for the page: every row's link differs only by its key.
    url = reverse("ops:tenant", args=[0], current_app=cl.model_admin.admin_site.name)
    prefix = url.removesuffix("0/")
    columns = [str(name) for name in cl.list_display[1:]]  # the first, the name, is the row's link
    rows = "\n".join(_row(town, f"{prefix}{town.pk}/", columns, cells) for town in cl.result_list)
    return {
        "cl": cl,
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "rows": mark_safe(rows),  # noqa: S308  (every value above is escaped)
        "has_rows": bool(cl.result_list),
    }
