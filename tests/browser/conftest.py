"""A real server thread and Debian's Chromium driven by Playwright, with axe-core at hand.

Locally the browser tests skip with a message when no Chromium is installed; in CI (CI=true)
a missing Chromium is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application
from django.db import connections

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _closing_connections(app: Any) -> Any:
    """Each request thread closes its database connections, so the test database can be
    dropped at the end of the session."""

    def wrapped(environ: Any, start_response: Any) -> Any:
        try:
            return list(app(environ, start_response))
        finally:
            connections.close_all()

    return wrapped


class LiveServer:
    def __init__(self, port: int) -> None:
        self.port = port

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture(scope="session")
def live_server_any_host(django_db_setup: None, django_db_blocker: Any) -> Iterator[LiveServer]:
    """The whole app (every host) on 127.0.0.1, served from a thread with its own connections."""
    django_db_blocker.unblock()
    server = make_server(
        "127.0.0.1",
        0,
        _closing_connections(StaticFilesHandler(get_wsgi_application())),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(server.server_port)
    finally:
        server.shutdown()
        django_db_blocker.restore()


@pytest.fixture(autouse=True)
def _links_to_the_live_server(settings: Any, live_server_any_host: LiveServer) -> None:
    """Links in emails and printed sheets carry SITE_PORT (tenants.addresses): here, the live
    server's port."""
    settings.SITE_PORT = live_server_any_host.port


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        message = "Chromium not found: install Debian's package (apt-get install chromium)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the tests' own database work
    # (fixtures, in order, never concurrently) would otherwise be refused by Django.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _audit_entries_removed(django_db_blocker: Any) -> Iterator[None]:
    """The journeys commit their actions, and so their audit entries: those go afterwards, so
    that later tests start from the log the session set up."""
    from tenants.models import AuditEntry

    with django_db_blocker.unblock():
        last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    yield
    with django_db_blocker.unblock():
        AuditEntry.objects.filter(pk__gt=last).delete()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(
    page: Any, *, exclude: tuple[str, ...] = (), needs_review: bool = False
) -> None:
    """axe-core finds no serious or critical WCAG 2.1 A/AA violation on the current page.

    With `needs_review`, no violation at all, and nothing axe could not decide either (its
    "incomplete" results, "needs review" in its reports). `exclude` leaves out third-party
    widgets we do not render (Stripe's card field).
    """
    assert AXE_SCRIPT.exists(), "axe-core missing: run `npm ci` (make test does)"
    page.add_script_tag(content=AXE_SCRIPT.read_text())
    results = page.evaluate(
        """async (exclude) => await axe.run({exclude: exclude.map((s) => [s])}, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })""",
        list(exclude),
    )
    serious = [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} elements)"
        for violation in results["violations"]
        if needs_review or violation["impact"] in ("serious", "critical")
    ]
    assert not serious, f"Accessibility violations on {page.url}:\n" + "\n".join(serious)
    if needs_review:
        unsure = [
            f"{item['id']}: {item['help']} ({[node['target'] for node in item['nodes']]})"
            for item in results["incomplete"]
        ]
        assert not unsure, f"Needs review on {page.url}:\n" + "\n".join(unsure)


def log_in(page: Any, server: LiveServer, host: str, email: str, password: str) -> None:
    """Log in through the town's login page, as a person would, and land on its home page."""
    page.goto(server.url(host, "/accounts/login/"))
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe", exact=False).first.fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(server.url(host))
