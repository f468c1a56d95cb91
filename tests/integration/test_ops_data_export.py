"""The console's data export: a reasoned action makes the archive (a task), staff download it
while it is kept, and not a minute after; another town's export is not reachable by this one."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tenants.models import AuditEntry, Collectivite, DataExport

pytestmark = pytest.mark.django_db


def url(town: Collectivite, part: str = "") -> str:
    return f"/ops/collectivites/{town.pk}/export/{part}"


@pytest.fixture
def made(console: Client, town_a, settings, tmp_path, django_capture_on_commit_callbacks):
    """Town A's archive, asked for from the console and made by the task (run on commit)."""
    settings.DATA_EXPORTS_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(url(town_a), {"reason": "Demande du maire", "confirmed": "1"})
    assert response.status_code == 302
    export = DataExport.objects.get(collectivite=town_a)
    assert export.state == DataExport.State.READY, export.error
    return export


def test_the_export_is_asked_with_a_reason_and_written_once(made, town_a) -> None:
    (entry,) = AuditEntry.objects.filter(collectivite=town_a, action="data_export.request")
    assert entry.reason == "Demande du maire"
    assert made.via == DataExport.Via.OPS


def test_without_confirmation_nothing_is_asked(console: Client, town_a) -> None:
    assert console.post(url(town_a), {"reason": "Demande"}).status_code == 200
    assert not DataExport.objects.filter(collectivite=town_a).exists()


def test_staff_download_the_archive_while_it_is_kept(console: Client, made, town_a) -> None:
    page = console.get(f"/ops/collectivites/{town_a.pk}/").content.decode()
    assert url(town_a, f"{made.pk}/") in page
    response = console.get(url(town_a, f"{made.pk}/"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(BytesIO(response.getvalue()))
    assert "donnees/accounts.user.json" in archive.namelist()


def test_after_24_hours_the_link_is_gone(console: Client, made, town_a) -> None:
    DataExport.objects.filter(pk=made.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert console.get(url(town_a, f"{made.pk}/")).status_code == 410


def test_an_export_is_reached_only_through_its_own_town(console: Client, made, town_b) -> None:
    assert console.get(url(town_b, f"{made.pk}/")).status_code == 404


def test_the_archive_is_not_under_the_media_folder(made, settings) -> None:
    path = Path(settings.DATA_EXPORTS_ROOT).resolve()
    assert not str(path).startswith(str(Path(settings.MEDIA_ROOT).resolve()))
