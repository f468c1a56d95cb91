"""What `make run` gets from the settings outside production (read in a fresh process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
READ = (
    "import json, config.settings as s; print(json.dumps({"
    "'stripe_port': s.LOCAL_STRIPE_PORT, 'stripe': s.STRIPE_API_BASE,"
    "'conn_max_age': s.DATABASES['default']['CONN_MAX_AGE'],"
    "'email': s.EMAIL_DELIVERY_BACKEND, 'redirect': s.CELERY_WORKER_REDIRECT_STDOUTS}))"
)


def _settings(**env: str) -> dict[str, Any]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO", "STRIPE", "DB_", "LOCAL_STRIPE")) and k != "PORT"
    }
    result = subprocess.run(
        [sys.executable, "-c", READ],
        cwd=ROOT,
        env={**clean, "DJANGO_ENV": "development", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_localstripe_port_derives_from_port() -> None:
    assert _settings(PORT="9000")["stripe_port"] == 9420
    assert _settings(PORT="9000")["stripe"] == "http://127.0.0.1:9420"
    assert _settings()["stripe_port"] == 8420
    assert _settings(PORT="9000", LOCAL_STRIPE_PORT="9999")["stripe_port"] == 9999


def test_no_persistent_database_connections_unless_asked() -> None:
    assert _settings()["conn_max_age"] == 0
    assert _settings(DB_CONN_MAX_AGE="30")["conn_max_age"] == 30


def test_emails_are_printed_readable_by_the_worker_itself() -> None:
    settings = _settings()
    assert settings["email"] == "accounts.console_mail.ReadableConsoleEmailBackend"
    assert settings["redirect"] is False
