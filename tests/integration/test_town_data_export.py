"""A town's admins take their data away: they ask for the archive on their administration
page, the task makes it, they download it while it is kept (24 hours)."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone

from tenants.models import AuditEntry, DataExport

pytestmark = pytest.mark.django_db
PAGE = "/administration/export/"


@pytest.fixture
def made(admin, town_a, settings, tmp_path, django_capture_on_commit_callbacks) -> DataExport:
    settings.DATA_EXPORTS_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(PAGE).status_code == 302
    export = DataExport.objects.get(collectivite=town_a)
    assert export.state == DataExport.State.READY, export.error
    return export


def test_the_page_says_what_the_archive_holds(admin) -> None:
    response = admin.get(PAGE)
    assert response.status_code == 200
    assert 'id="request-export"' in response.content.decode()


def test_an_admin_asks_and_downloads_the_archive(admin, made, town_a) -> None:
    assert made.via == DataExport.Via.TOWN
    assert AuditEntry.objects.filter(collectivite=town_a, action="data_export.request").count() == 1
    page = admin.get(PAGE).content.decode()
    link = f"{PAGE}{made.pk}/"
    assert link in page
    response = admin.get(link)
    assert response.status_code == 200
    archive = zipfile.ZipFile(BytesIO(response.getvalue()))
    assert "LISEZMOI.txt" in archive.namelist()


def test_after_24_hours_the_link_is_gone(admin, made) -> None:
    DataExport.objects.filter(pk=made.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert admin.get(f"{PAGE}{made.pk}/").status_code == 410
