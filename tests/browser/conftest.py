"""A real server thread and Debian's Chromium driven by Playwright, with axe-core at hand.

Locally the browser tests skip with a message when no Chromium is installed; in CI (CI=true)
a missing Chromium is a failure, never a silent skip. A test fails when a page of any of its
browser contexts reports a Content-Security-Policy violation in its console (what the policy
refused: an inline style or script, a foreign origin), so that the browser tests catch what
the site's CSP would break for people.
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


# How Chromium's console reports what the page's CSP refused ("Refused to apply inline style
# because it violates the following Content Security Policy directive: ...").
CSP_VIOLATION_SIGNS = ("Content Security Policy", "Refused to")
_csp_violations: list[str] = []


def record_csp_violation(message: Any) -> None:
    text = str(message.text)
    if any(sign in text for sign in CSP_VIOLATION_SIGNS):
        where = message.location.get("url", "") if message.location else ""
        _csp_violations.append(f"{text} (at {where})")


def _watched(context: Any) -> Any:
    context.on("console", record_csp_violation)  # every page of the context, popups too
    return context


class _WatchedBrowser:
    """The browser, each of whose contexts reports CSP violations to the running test; so is
    each browser launched from its browser_type (a test that needs Chromium's own options)."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, *args: Any, **kwargs: Any) -> Any:
        return _watched(self._browser.new_context(*args, **kwargs))

    def new_page(self, *args: Any, **kwargs: Any) -> Any:
        page = self._browser.new_page(*args, **kwargs)
        _watched(page.context)
        return page

    @property
    def browser_type(self) -> Any:
        return _WatchedBrowserType(self._browser.browser_type)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


class _WatchedBrowserType:
    def __init__(self, browser_type: Any) -> None:
        self._browser_type = browser_type

    def launch(self, *args: Any, **kwargs: Any) -> _WatchedBrowser:
        return _WatchedBrowser(self._browser_type.launch(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser_type, name)


@pytest.fixture(autouse=True)
def _no_csp_violation() -> Iterator[list[str]]:
    """Fails the test (at its teardown, once its pages are closed) on any CSP violation."""
    _csp_violations.clear()
    yield _csp_violations
    found, _csp_violations[:] = list(_csp_violations), []
    if found:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(found), pytrace=False)


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
        yield _WatchedBrowser(browser)
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


def assert_accessible(page: Any, *, exclude: tuple[str, ...] = ()) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the current page, of any impact, and nothing
    it could not decide alone ("needs review": a contrast over an image, a hidden label...):
    what needs review is fixed or made decidable, never accepted.

    `exclude` leaves out third-party widgets we do not render (Stripe's card field).
    """
    assert AXE_SCRIPT.exists(), "axe-core missing: run `npm ci` (make test does)"
    # Evaluated by the driver, not as an inline <script> (which the page's CSP refuses).
    page.evaluate("() => {\n" + AXE_SCRIPT.read_text() + "\n}")
    results = page.evaluate(
        """async (exclude) => await axe.run({exclude: exclude.map((s) => [s])}, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })""",
        list(exclude),
    )
    found = [
        f"{kind} {result['id']} ({result['impact']}): {result['help']} — "
        + "; ".join(str(node["target"]) for node in result["nodes"][:5])
        for kind, results_of_kind in (
            ("violation", results["violations"]),
            ("needs review", results["incomplete"]),
        )
        for result in results_of_kind
    ]
    assert not found, f"Accessibility on {page.url}:\n" + "\n".join(found)


def log_in(page: Any, server: LiveServer, host: str, email: str, password: str) -> None:
    """Log in through the town's login page, as a person would, and land on its home page."""
    page.goto(server.url(host, "/accounts/login/"))
    page.get_by_label("Adresse e-mail ou identifiant").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(server.url(host))
