"""The console's data export: our staff ask for a collectivité's archive (its data as CSV and
JSON per kind, its files), made by a task, and download it while it is kept (24 hours).

The request is a reasoned action (ops.actions.run); the download is for our staff only (the
console's guard), of one export of that collectivité, and only while it is ready and valid.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ops.actions import ActionRefused, ReasonedAction, ReasonForm, Summary, run
from ops.site import ops_site
from tenants import exports
from tenants.models import Collectivite, DataExport


def _export(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
    try:
        exports.request_export(
            tenant, actor=request.user, via=DataExport.Via.OPS, reason=cleaned["reason"]
        )
    except ValueError:
        raise ActionRefused(
            _("This collectivité's data is wiped: there is nothing to export.")
        ) from None
    return _("The archive is being made. Its link appears on this page when it is ready.")


def _export_summary(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
    return [
        (_("What"), _("Every kind of the site's data as CSV and JSON, and its files")),
        (_("Kept"), _("24 hours, then deleted")),
    ]


EXPORT = ReasonedAction(
    title=gettext_lazy("Export the collectivité's data"),
    form_class=ReasonForm,
    perform=_export,
    summarize=_export_summary,
    button=gettext_lazy("Make the archive"),
    warning=gettext_lazy("The archive holds residents' personal data: keep it safe."),
)


def export_data(request: HttpRequest, pk: int) -> HttpResponse:
    return run(request, pk, EXPORT)


def download(request: HttpRequest, pk: int, export_pk: int) -> HttpResponse | FileResponse:
    export = get_object_or_404(DataExport, pk=export_pk, collectivite_id=pk)
    file = exports.downloadable_archive(export)
    if file is None:
        context = {**ops_site.each_context(request), "title": _("This archive is no longer here")}
        return TemplateResponse(request, "ops/export_gone.html", context, status=410)
    return FileResponse(file.open("rb"), as_attachment=True, filename=file.name)


urlpatterns: list[URLPattern] = [
    path("collectivites/<int:pk>/export/", ops_site.admin_view(export_data), name="tenant_export"),
    path(
        "collectivites/<int:pk>/export/<int:export_pk>/",
        ops_site.admin_view(download),
        name="tenant_export_download",
    ),
]
