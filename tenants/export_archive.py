"""The zip archive of one town's data: a CSV and a JSON file per model of the tenant apps, the
schema's media as files, and a README in French. Never a secret (SECRET_FIELDS, SECRET_MODELS).

Generic on purpose: it reads every app of settings.TENANT_APPS through the app registry, so
this floor never imports the apps above it. Rows are streamed (a server-side cursor, in
chunks) straight into the archive's entries, so a large town takes no more memory than a small.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tenants.csv_files import BOM, DELIMITER, safe_cell
from tenants.models import Collectivite

CHUNK_ROWS = 2000

# What never leaves our servers, whoever asks. Whole models: sessions (a session's data signs a
# person in), MFA authenticators (TOTP secrets, recovery codes). Fields, by model: password
# hashes, the hashes of tokens (API keys, invitations, login codes at the desk, a browser's
# anonymous key), allauth's email confirmation keys.
SECRET_MODELS = frozenset({"sessions.session", "mfa.authenticator"})
SECRET_FIELDS = {
    "accounts.user": {"password"},
    "accounts.apitoken": {"token_hash"},
    "account.emailconfirmation": {"key"},
    "townsite.invitation": {"token_hash"},
    "townsite.residentprofile": {"login_code_hash"},
    "participation.consultationresponse": {"browser_key"},
    "participation.consultationdraft": {"browser_key"},
}
# A safety net for a field added later and forgotten above: any field named like a secret.
SECRET_NAME = re.compile(r"(password|secret|token|_hash$|^hash$|session_data)")


def media_folder(schema_name: str) -> Path:
    """Where django-tenants' storage keeps this schema's uploads."""
    return Path(settings.MEDIA_ROOT) / (settings.MULTITENANT_RELATIVE_MEDIA_ROOT % schema_name)


def tenant_app_configs() -> list[Any]:
    names = set(settings.TENANT_APPS)
    return [config for config in apps.get_app_configs() if config.name in names]


def exported_models() -> list[type[models.Model]]:
    """The models of the tenant apps whose table is in the active schema (a model registered
    without a table, e.g. by the tests, is left out), less the secret ones."""
    tables = set(connection.introspection.table_names())
    found: list[type[models.Model]] = []
    for config in tenant_app_configs():
        for model in config.get_models(include_auto_created=True):
            meta = model._meta
            if meta.label_lower in SECRET_MODELS or meta.proxy or not meta.managed:
                continue
            if meta.db_table in tables:
                found.append(model)
    return found


def is_secret(model: type[models.Model], field: models.Field[Any, Any]) -> bool:
    label = model._meta.label_lower
    return field.name in SECRET_FIELDS.get(label, set()) or bool(SECRET_NAME.search(field.name))


def exported_columns(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields if not is_secret(model, field)]


def _rows(model: type[models.Model], columns: list[str]) -> Iterator[tuple[Any, ...]]:
    queryset = model._base_manager.order_by("pk").values_list(*columns)
    yield from queryset.iterator(chunk_size=CHUNK_ROWS)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return safe_cell(value)


def _write_csv(archive: zipfile.ZipFile, name: str, model: type[models.Model]) -> int:
    columns = exported_columns(model)
    count = 0
    with archive.open(name, "w", force_zip64=True) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        text.write(BOM)
        writer = csv.writer(text, delimiter=DELIMITER)
        writer.writerow(columns)
        for row in _rows(model, columns):
            writer.writerow([_csv_cell(value) for value in row])
            count += 1
        text.flush()
        text.detach()
    return count


def _write_json(archive: zipfile.ZipFile, name: str, model: type[models.Model]) -> None:
    columns = exported_columns(model)
    with archive.open(name, "w", force_zip64=True) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8")
        text.write("[")
        separator = "\n"
        for row in _rows(model, columns):
            text.write(separator)
            text.write(
                json.dumps(
                    dict(zip(columns, row, strict=True)), cls=DjangoJSONEncoder, ensure_ascii=False
                )
            )
            separator = ",\n"
        text.write("\n]\n")
        text.flush()
        text.detach()


def _media_files(folder: Path) -> Iterator[tuple[Path, str]]:
    if not folder.is_dir():
        return
    for root, _dirs, files in os.walk(folder):
        for file_name in sorted(files):
            path = Path(root) / file_name
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(folder).as_posix()


def write_archive(target: Path, town: Collectivite, media_folder: Path) -> None:
    """Write the whole archive to `target`; run with the town's schema active."""
    tables: list[dict[str, Any]] = []
    media: list[str] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for model in exported_models():
            base = f"donnees/{model._meta.app_label}.{model._meta.model_name}"
            rows = _write_csv(zf, f"{base}.csv", model)
            _write_json(zf, f"{base}.json", model)
            tables.append(
                {
                    "file": base,
                    "name": str(model._meta.verbose_name),
                    "rows": rows,
                    "columns": exported_columns(model),
                    "left_out": sorted(
                        f.name for f in model._meta.concrete_fields if is_secret(model, f)
                    ),
                }
            )
        for path, relative in _media_files(media_folder):
            zf.write(path, f"fichiers/{relative}")
            media.append(relative)
        with translation.override("fr"):
            readme = render_to_string(
                "tenants/export_readme.txt",
                {
                    "town": town,
                    "made_at": timezone.localtime(),
                    "tables": tables,
                    "media_count": len(media),
                    "secret_models": sorted(SECRET_MODELS),
                },
            )
        zf.writestr("LISEZMOI.txt", readme)
