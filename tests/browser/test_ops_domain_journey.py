"""Our staff add a custom domain to a town from the console, make it primary, and the town's
site answers there while its old subdomain redirects to it (a real browser, axe-core).

Chromium resolves *.localhost itself; the custom domain is mapped to the live server with
--host-resolver-rules, in a browser of this module's own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import create_ops_staff
from tenants import directory
from tenants.models import Collectivite, Domain
from tests.browser.conftest import LiveServer, assert_accessible, chromium_path
from tests.conftest import TOWNS
from tests.ops_support import with_totp

pytestmark = pytest.mark.browser
HOST = "entraide.ville-a.fr"


@pytest.fixture
def mapped_page(browser: Any) -> Iterator[Any]:
    """A page of a browser that sends HOST to 127.0.0.1 (where the live server listens)."""
    second = browser.browser_type.launch(
        executable_path=chromium_path(),
        headless=True,
        args=["--no-sandbox", "--disable-gpu", f"--host-resolver-rules=MAP {HOST} 127.0.0.1"],
    )
    context = second.new_context(locale="fr-FR")
    yield context.new_page()
    context.close()
    second.close()


@pytest.fixture
def committed_console_staff(django_db_blocker: Any) -> Iterator[User]:
    """Staff with TOTP, committed for the server's threads; the town's domains put back after."""
    with django_db_blocker.unblock(), schema_context("public"):
        staff = with_totp(
            create_ops_staff(email="journey@placette.example", display_name="Olga", password="x")
        )
    yield staff
    with django_db_blocker.unblock(), schema_context("public"):
        Domain.objects.filter(domain=HOST).delete()
        Domain.objects.filter(domain=f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}").update(
            is_primary=True
        )
        EmailAddress.objects.filter(user_id=staff.pk).delete()
        Authenticator.objects.filter(user_id=staff.pk).delete()
        # The public schema has none of the towns' tables a cascade would visit.
        User.objects.filter(pk=staff.pk)._raw_delete(connection.alias)
        directory.bump_generation()


def _signed_in(page: Any, staff: User, server: LiveServer) -> None:
    client = Client(HTTP_HOST=settings.ROOT_DOMAIN)
    with schema_context("public"):
        client.force_login(staff)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server.url("localhost")}]
    )


def _confirm_action(page: Any, reason: str) -> None:
    page.get_by_label("Motif").fill(reason)
    page.locator("input[type=submit].default").click()
    assert_accessible(page)
    page.locator("input[type=submit].default").click()


def test_staff_add_a_custom_domain_and_the_town_is_reached_on_it(
    mapped_page, committed_console_staff, live_server_any_host, django_db_blocker
) -> None:
    page, server = mapped_page, live_server_any_host
    with django_db_blocker.unblock():
        town = Collectivite.objects.get(slug=TOWNS["a"]["slug"])
    _signed_in(page, committed_console_staff, server)
    page.goto(server.url("localhost", f"/ops/collectivites/{town.pk}/"))
    assert_accessible(page)

    page.locator("#domain-add").click()
    page.locator("#id_host").fill(HOST)
    _confirm_action(page, "Demande de la mairie")
    page.wait_for_url(server.url("localhost", f"/ops/collectivites/{town.pk}/"))
    row = page.locator(f'tr[data-domain="{HOST}"]')
    row.locator("a[href$='/principal/']").click()
    _confirm_action(page, "La mairie veut sa propre adresse")
    page.wait_for_url(server.url("localhost", f"/ops/collectivites/{town.pk}/"))
    assert page.locator(f'tr[data-domain="{HOST}"][data-primary]').count() == 1

    page.goto(server.url(HOST))
    assert town.name in page.content()
    page.goto(server.url(town.primary_host, "/"))
    assert page.url == server.url(HOST)
