"""With DEBUG off, every error is a French page in the site's look, even with PostgreSQL away."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.http import HttpResponse
from django.test import Client

from tenants import directory
from tenants.models import Collectivite

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture(autouse=True)
def _debug_off(settings: Any) -> None:
    settings.DEBUG = False


def _client(host: str) -> Client:
    # Errors are answered as in production, not raised into the test.
    return Client(HTTP_HOST=host, raise_request_exception=False)


def _town(town: Collectivite) -> Client:
    return _client(town.primary_host)


def _public() -> Client:
    return _client(django_settings.ROOT_DOMAIN)


def _assert_town_look(response: Any, town: Collectivite) -> None:
    page = _text(response)
    assert f'<a class="brand" href="/">{town.name}</a>' in page
    assert town.name in page.split("<footer", 1)[1]


def _assert_public_look(response: Any) -> None:
    assert '<a class="brand" href="/">Placette</a>' in _text(response)


# --- 404 ----------------------------------------------------------------------------------


def test_a_missing_page_of_the_public_site_is_a_french_404() -> None:
    response = _public().get("/pas-de-page-ici/")
    assert response.status_code == 404
    assert "Cette page n’existe pas" in _text(response)
    _assert_public_look(response)


def test_a_missing_page_of_a_town_is_a_french_404_in_its_look(town_a) -> None:
    response = _town(town_a).get("/pas-de-page-ici/")
    assert response.status_code == 404
    assert "Cette page n’existe pas" in _text(response)
    _assert_town_look(response, town_a)


# --- 403 ----------------------------------------------------------------------------------


def test_a_page_kept_for_staff_is_a_french_403_in_the_towns_look(
    client_for, town_a, resident_a
) -> None:
    resident = client_for(town_a, resident_a)
    resident.raise_request_exception = False
    response = resident.get("/administration/habitants/")
    assert response.status_code == 403
    assert "Vous ne pouvez pas ouvrir cette page" in _text(response)
    _assert_town_look(response, town_a)


def test_a_form_without_its_token_gets_a_french_403(town_a) -> None:
    guest = Client(HTTP_HOST=town_a.primary_host, enforce_csrf_checks=True)
    response = guest.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "Ce formulaire a expiré" in _text(response)
    _assert_town_look(response, town_a)


# --- 400 ----------------------------------------------------------------------------------


def test_a_foreign_host_gets_a_plain_french_400() -> None:
    response = _client("evil.example").get("/")
    assert response.status_code == 400
    assert "Cette demande n’a pas pu être comprise" in _text(response)
    _assert_public_look(response)


FOREIGN_HOST_REQUEST = """
import django
django.setup()
from django.test import Client
response = Client(HTTP_HOST="evil.example").get("/")
print(response.status_code, "Traceback" in response.content.decode())
"""


@pytest.mark.parametrize("debug", ["false", "true"])
def test_a_foreign_host_prints_no_traceback(debug: str) -> None:
    # In a process of its own: pytest's log capture would hide what the logging settings print.
    run = subprocess.run(
        [sys.executable, "-c", FOREIGN_HOST_REQUEST],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "DEBUG": debug},
        capture_output=True,
        text=True,
        timeout=120,
    )
    status, traceback_in_page = run.stdout.split()
    assert status == "400", run.stderr
    assert traceback_in_page == "False"  # the plain page, not Django's debug page
    assert "Traceback" not in run.stderr
    assert "evil.example" not in run.stderr


def test_a_malformed_request_to_a_town_is_a_french_400_in_its_look(town_a, settings) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"field{number}": "x" for number in range(6)}
    response = _town(town_a).post("/accounts/login/", fields)
    assert response.status_code == 400
    assert "Cette demande n’a pas pu être comprise" in _text(response)
    _assert_town_look(response, town_a)


# --- 500 ----------------------------------------------------------------------------------


def _break_the_town_home(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> HttpResponse:
        raise RuntimeError("a bug")

    monkeypatch.setattr("townsite.views.render", broken)


def test_a_bug_is_a_french_500_in_the_towns_look(town_a, monkeypatch) -> None:
    _break_the_town_home(monkeypatch)
    response = _town(town_a).get("/")
    assert response.status_code == 500
    assert "Un problème est survenu de notre côté" in _text(response)
    _assert_town_look(response, town_a)


def test_the_500_page_needs_neither_database_nor_cache(
    town_a, monkeypatch, settings, django_assert_num_queries, tmp_path
) -> None:
    _town(town_a).get("/")  # the host map is warm: the town is known without a query
    _break_the_town_home(monkeypatch)
    # A cache that raises on any use (the strict backend on a socket that does not exist).
    dead = f"unix://{tmp_path}/no-redis.sock"
    settings.CACHES = {
        alias: {**config, "BACKEND": "django_redis.cache.RedisCache", "LOCATION": dead}
        for alias, config in django_settings.CACHES.items()
    }
    settings.TENANT_CACHE_CHECK_SECONDS = 3600  # the map in memory is trusted, Redis not asked
    with django_assert_num_queries(0):
        response = _town(town_a).get("/")
    assert response.status_code == 500
    _assert_town_look(response, town_a)


# --- 503: PostgreSQL does not answer (a real refused connection) ---------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _with_database_away(request: Callable[[], Any]) -> Any:
    """Run `request` in a thread whose database connection goes to a port nobody listens on."""
    answer: dict[str, Any] = {}
    port = _closed_port()

    def run() -> None:
        connection = connections["default"]  # this thread's own connection
        connection.settings_dict = {
            **connection.settings_dict,
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
        try:
            answer["response"] = request()
        except BaseException as error:  # noqa: BLE001  (re-raised in the test's thread)
            answer["response"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    result = answer["response"]
    if isinstance(result, BaseException):
        raise result
    return result


def _assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Le site est momentanément indisponible" in _text(response)


def test_the_public_site_without_database_is_a_french_503() -> None:
    response = _with_database_away(lambda: _public().get("/"))
    _assert_unavailable(response)
    _assert_public_look(response)


def test_a_town_without_database_is_a_french_503_in_its_look(
    client_for, town_a, resident_a
) -> None:
    resident = client_for(town_a, resident_a)  # a session, stored in the database
    resident.raise_request_exception = False
    assert resident.get("/").status_code == 200  # the host map is warm
    response = _with_database_away(lambda: resident.get("/"))
    _assert_unavailable(response)
    _assert_town_look(response, town_a)


def test_an_unknown_host_without_database_is_a_french_503(town_a) -> None:
    directory.forget_local_hosts()
    response = _with_database_away(lambda: _client("nouvelle.localhost").get("/"))
    _assert_unavailable(response)
