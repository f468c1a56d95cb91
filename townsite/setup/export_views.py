"""The town takes its data away: its admins ask for the archive of their site (every kind of
data as CSV and JSON, its files), made in the background and kept 24 hours, and download it.

The town is the controller of its residents' data; this is how it leaves with it. Only the
town's admins reach these pages; an export is found only among the current town's own.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tenants import exports, schema
from tenants.models import DataExport
from townsite.setup.guards import town_admin_with_password


@town_admin_with_password
def export_page(request: HttpRequest) -> HttpResponse:
    town = schema.request_tenant(request)
    if request.method == "POST":
        exports.request_export(town, actor=request.user, via=DataExport.Via.TOWN)
        messages.success(
            request, _("Your archive is being made. Come back to this page in a few minutes.")
        )
        return redirect("townsite:data_export")
    context = {"exports": exports.exports_of(town, limit=10)}
    return render(request, "townsite/setup/data_export.html", context)


@town_admin_with_password
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    town = schema.request_tenant(request)
    export = DataExport.objects.filter(pk=pk, collectivite=town).first()
    if export is None:
        raise Http404
    file = exports.downloadable_archive(export)
    if file is None:
        return render(request, "townsite/setup/data_export_gone.html", status=410)
    archive = FileResponse(file.open("rb"), as_attachment=True, filename=file.name)
    return cast(HttpResponse, archive)  # streamed; the guards type views as HttpResponse
