"""Production settings refuse to start without what they need (checked in a fresh process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-for-tests-only-0123456789",
    "DATABASE_URL": "postgresql://placette:pw@db.internal:5432/placette",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ROOT_DOMAIN": "placette.example",
    "STRIPE_SECRET_KEY": "sk_live_placeholder",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_placeholder",
    "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
    "LEGAL_ENTITY_NAME": "Placette SAS",
    "LEGAL_ENTITY_ADDRESS": "1 place de la Mairie, 75001 Paris",
    "LEGAL_ENTITY_REGISTRATION": "RCS Paris 000 000 000",
    "LEGAL_HOST": "OVH SAS, 2 rue Kellermann, 59100 Roubaix",
}


def _check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in GOOD and not k.startswith("DJANGO")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_passes_with_the_documented_variables() -> None:
    result = _check(GOOD, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "ROOT_DOMAIN",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
    ],
)
def test_a_missing_variable_stops_the_start(missing: str) -> None:
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = _check(env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECRET_KEY", "short", "SECRET_KEY must be a random string"),
        ("ROOT_DOMAIN", "https://placette.example/", "give a bare domain name"),
        ("DEBUG", "true", "DEBUG must be off in production"),
    ],
)
def test_a_bad_value_stops_the_start(name: str, value: str, message: str) -> None:
    result = _check({**GOOD, name: value})
    assert result.returncode != 0
    assert message in result.stderr
