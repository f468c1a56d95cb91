"""The log of actions page: a town's admins read who did what on their site, newest first."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tenants import schema
from tenants.models import AuditEntry
from townsite.setup import audit_labels
from townsite.setup.guards import town_admin_with_password

PAGE_SIZE = 25


def _kind_choices() -> list[tuple[str, Promise]]:
    return [("", _("All actions")), *audit_labels.kind_choices()]


class JournalFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of action"), required=False, choices=_kind_choices)


@town_admin_with_password
@require_GET
def journal(request: HttpRequest) -> HttpResponse:
    """This town's entries only: the log is in the public schema, shared by every town."""
    form = JournalFilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    entries = AuditEntry.objects.filter(collectivite_id=schema.request_tenant(request).pk)
    page = Paginator(audit_labels.of_kind(entries, kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "townsite/setup/journal.html",
        {
            "form": form,
            "kind": kind,
            "page": page,
            "rows": [audit_labels.describe(entry) for entry in page.object_list],
            "filter_query": urlencode({"kind": kind}) + "&" if kind else "",
        },
    )
