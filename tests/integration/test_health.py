"""GET /healthz on the root domain tells whether the database, Redis and migrations are fine."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_with_each_check(public_client: Client) -> None:
    response = public_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "migrations": "ok",
        "stripe_events_stuck": 0,
    }


def test_healthz_answers_503_when_redis_is_down(public_client: Client, tmp_path) -> None:
    dead = {
        alias: {**config, "LOCATION": f"unix://{tmp_path}/nothing-here.sock"}
        for alias, config in settings.CACHES.items()
    }
    with override_settings(CACHES=dead):
        response = public_client.get("/healthz")
    caches["default"].get("reconnect")  # the real cache is back after the override
    assert response.status_code == 503
    assert response.json()["redis"] == "error: ConnectionError"  # Redis' own error, not a miss
    assert response.json()["database"] == "ok"


def test_healthz_is_not_served_on_a_town_site(client_for, town_a) -> None:
    assert client_for(town_a).get("/healthz").status_code == 404
