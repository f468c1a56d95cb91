"""Settings read the environment through typed helpers that fail fast on bad values."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_secret, env_str


def test_a_missing_required_value_names_the_variable(monkeypatch) -> None:
    monkeypatch.delenv("PLACETTE_X", raising=False)
    with pytest.raises(ImproperlyConfigured, match="PLACETTE_X must be set"):
        env_str("PLACETTE_X")
    assert env_str("PLACETTE_X", "fallback") == "fallback"


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("1", True), ("off", False)])
def test_booleans(monkeypatch, raw: str, value: bool) -> None:
    monkeypatch.setenv("PLACETTE_FLAG", raw)
    assert env_bool("PLACETTE_FLAG", not value) is value


def test_a_bad_boolean_or_number_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("PLACETTE_FLAG", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        env_bool("PLACETTE_FLAG", False)
    monkeypatch.setenv("PLACETTE_N", "douze")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("PLACETTE_N", 1)


def test_lists_drop_blanks(monkeypatch) -> None:
    monkeypatch.setenv("PLACETTE_LIST", " a.fr, ,b.fr ")
    assert env_list("PLACETTE_LIST", []) == ["a.fr", "b.fr"]


def test_secrets_can_come_from_a_file(monkeypatch, tmp_path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("PLACETTE_SECRET_FILE", str(secret))
    assert env_secret("PLACETTE_SECRET") == "s3cret"
    monkeypatch.setenv("PLACETTE_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_secret("PLACETTE_SECRET")
