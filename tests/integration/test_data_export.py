"""The town's data export archive: built by the task, each model's files, no secret."""

import zipfile
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from tenants import exports
from tenants.models import DataExport

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(town_a, admin_a, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.DATA_EXPORTS_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        export = exports.request_export(town_a, actor=admin_a, via="town")
    export.refresh_from_db()
    assert export.state == DataExport.State.READY, export.error
    return zipfile.ZipFile(Path(tmp_path) / export.file_name)


def test_each_model_has_its_csv_and_json_and_a_readme(archive) -> None:
    names = archive.namelist()
    assert {"donnees/accounts.user.csv", "donnees/accounts.user.json", "LISEZMOI.txt"} <= set(names)


def test_no_password_hash_in_the_archive(archive, town_a, admin_a) -> None:
    with schema_context(town_a.schema_name):
        admin_a.refresh_from_db()
    hashed = admin_a.password.encode()
    assert hashed
    assert all(hashed not in archive.read(name) for name in archive.namelist())
    assert not any("sessions." in name or "mfa." in name for name in archive.namelist())
