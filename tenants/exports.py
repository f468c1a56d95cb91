"""Data exports of a town: asked (audited), built by a Celery task, kept 24 h, then removed.

The archive lives in DATA_EXPORTS_ROOT/<schema>/, outside the media folder, so no URL serves
it. Two views send it, each after checking who asks and `downloadable_archive`: the console's
(staff with TOTP) and the town's administration (an admin of that town, the export's own town).
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from tenants import audit
from tenants.export_archive import media_folder, write_archive
from tenants.models import Collectivite, DataExport

logger = logging.getLogger(__name__)
State = DataExport.State


def archive_folder(schema_name: str) -> Path:
    return Path(settings.DATA_EXPORTS_ROOT) / schema_name


def archive_path(export: DataExport) -> Path:
    return Path(settings.DATA_EXPORTS_ROOT) / export.file_name


def downloadable_archive(export: DataExport) -> Path | None:
    """The archive's file while it may be downloaded (ready, within its 24 hours, on disk)."""
    if not export.file_name or not export.is_downloadable():
        return None
    file = archive_path(export)
    return file if file.exists() else None


@transaction.atomic
def request_export(
    collectivite: Collectivite, *, actor: Any, via: str, reason: str = ""
) -> DataExport:
    """Ask for an archive: the row and its audit entry now, the task once they are committed."""
    town = Collectivite.objects.select_for_update().get(pk=collectivite.pk)
    if town.wiped_at is not None:
        raise ValueError("A wiped collectivité has no data to export.")
    actor_fields = audit.actor_fields(actor)
    export = DataExport.objects.create(
        collectivite=town,
        via=via,
        requested_by_schema=actor_fields["actor_schema"],
        requested_by_id=actor_fields["actor_id"],
        requested_by_label=actor_fields["actor_label"],
    )
    audit.record(
        "data_export.request",
        actor=actor,
        target=export,
        target_label=town.name,
        after={"via": via},
        reason=reason,
        collectivite=town,
    )
    transaction.on_commit(lambda: _send_build(export.pk))
    return export


def _send_build(export_id: int) -> None:
    from tenants.tasks import build_data_export  # the task module imports this one

    # Sent from the public schema: the task chooses the town's schema itself.
    with schema_context("public"):
        build_data_export.delay(export_id)


def build(export_id: int) -> DataExport:
    """Make the archive of a pending export. Idempotent: a ready (or gone) export is left as
    it is, and a half-written file from an earlier attempt is overwritten."""
    with schema_context("public"):
        export = DataExport.objects.select_related("collectivite").get(pk=export_id)
        if export.state != State.PENDING:
            return export
        DataExport.objects.filter(pk=export_id).update(attempts=export.attempts + 1)
        town = export.collectivite
    folder = archive_folder(town.schema_name)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"export-{export.pk}.zip"
    partial = final.with_suffix(".part")
    with tenant_context(town):
        write_archive(partial, town, media_folder(town.schema_name))
    os.replace(partial, final)  # a reader never sees a half-written archive
    with schema_context("public"), transaction.atomic():
        export = DataExport.objects.select_for_update().get(pk=export_id)
        if export.state != State.PENDING:  # wiped meanwhile: the archive must not stay
            final.unlink(missing_ok=True)
            return export
        now = timezone.now()
        export.state = State.READY
        export.ready_at = now
        export.expires_at = now + timedelta(hours=settings.DATA_EXPORT_HOURS)
        export.file_name = final.relative_to(settings.DATA_EXPORTS_ROOT).as_posix()
        export.size = final.stat().st_size
        export.error = ""
        export.save(update_fields=["state", "ready_at", "expires_at", "file_name", "size", "error"])
    return export


def mark_failed(export_id: int, error: BaseException) -> None:
    """The task gave up after its retries: say so on the page rather than wait for ever."""
    with schema_context("public"):
        DataExport.objects.filter(pk=export_id, state=State.PENDING).update(
            state=State.FAILED, error=f"{type(error).__name__}: {error}"[:500]
        )


def purge_expired() -> int:
    """Remove the archives past their validity; their rows stay, marked expired."""
    removed = 0
    with schema_context("public"):
        due = DataExport.objects.filter(state=State.READY, expires_at__lte=timezone.now())
        for export in due.order_by("pk").iterator():
            if export.file_name:
                archive_path(export).unlink(missing_ok=True)
            DataExport.objects.filter(pk=export.pk).update(state=State.EXPIRED)
            removed += 1
    return removed


def forget_archives(town: Collectivite) -> None:
    """Part of the wipe (in its transaction): no copy of the data may outlive it."""
    DataExport.objects.filter(collectivite=town, state__in=[State.PENDING, State.READY]).update(
        state=State.EXPIRED
    )
    folder = archive_folder(town.schema_name)
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))


def exports_of(town: Collectivite, *, via: str | None = None, limit: int = 20) -> list[DataExport]:
    queryset = DataExport.objects.filter(collectivite=town)
    if via:
        queryset = queryset.filter(via=via)
    return list(queryset[:limit])
