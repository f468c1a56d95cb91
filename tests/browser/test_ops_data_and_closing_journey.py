"""Our staff take a town's data away and close its site from the console, in a real browser
with axe-core: an export made by the task and downloaded; a deactivation refused too early, then
done (the site is closed); the wipe refused to the same staff member before the date; the
deactivation taken back (the site is open again). The town's admin takes the same export from
the town's administration."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member, create_ops_staff
from tenants import exports
from tenants.models import Collectivite, DataExport
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.browser.test_ops_tenant_journey import STAFF_EMAIL, sign_in_with_totp
from tests.conftest import TOWNS
from tests.ops_support import TOTP_SECRET

pytestmark = pytest.mark.browser
TOWN = TOWNS["b"]
ADMIN_EMAIL = "maire-export@town-b.example"


@pytest.fixture
def committed_staff(django_db_blocker: Any) -> Iterator[User]:
    """A staff member with TOTP, committed for the server's threads; town B put back as the
    session made it afterwards (open, no deletion planned, no archive)."""
    with django_db_blocker.unblock(), schema_context("public"):
        staff = create_ops_staff(email=STAFF_EMAIL, display_name="Olga", password=TEST_PASSWORD)
        Authenticator.objects.create(
            user=staff, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
        )
    yield staff
    with django_db_blocker.unblock(), schema_context("public"):
        town = Collectivite.objects.get(slug=TOWN["slug"])
        forget_exports(town)
        Collectivite.objects.filter(pk=town.pk).update(
            status=Collectivite.Status.READY, deletion_scheduled_for=None, deactivated_by_id=None
        )
        Authenticator.objects.filter(user=staff).delete()
        EmailAddress.objects.filter(user=staff).delete()
        User.objects.filter(pk=staff.pk)._raw_delete(connection.alias)


def forget_exports(town: Collectivite) -> None:
    shutil.rmtree(exports.archive_folder(town.schema_name), ignore_errors=True)
    DataExport.objects.filter(collectivite=town).delete()


def open_action(page: Any, section: str, link: str) -> None:
    page.locator(f'#{section} a[href$="/{link}/"]').click()
    page.wait_for_selector("[name=reason]")
    assert_accessible(page)


def continue_and_confirm(page: Any) -> None:
    page.locator("input[type=submit].default").click()
    assert page.locator("input[name=confirmed]").count() == 1  # the confirmation step
    assert_accessible(page)
    page.locator("input[type=submit].default").click()


def archive_names(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.namelist()


def test_staff_export_a_towns_data_then_deactivate_and_reopen_it(
    live_server_any_host: LiveServer, page: Any, committed_staff: User, browser: Any
) -> None:
    server = live_server_any_host
    town = Collectivite.objects.get(slug=TOWN["slug"])
    town_host = f"{TOWN['slug']}.{settings.ROOT_DOMAIN}"
    sign_in_with_totp(page, server)
    tenant_page = server.url(settings.ROOT_DOMAIN, f"/ops/collectivites/{town.pk}/")
    page.goto(tenant_page)
    page.wait_for_selector("#exports-title")

    # The export: a reason, the confirmation, the task makes the archive, staff download it.
    open_action(page, "exports", "export")
    page.locator("[name=reason]").fill("La mairie change de prestataire et reprend ses données.")
    continue_and_confirm(page)
    page.wait_for_selector("#exports-title")
    row = page.locator("#tenant-exports tbody tr").first
    assert row.get_attribute("data-state") == "ready"
    assert_accessible(page)
    with page.expect_download() as download:
        row.get_by_role("link").click()
    names = archive_names(download.value.path().read_bytes())
    assert any(name.endswith(".csv") for name in names)
    assert any(name.endswith(".json") for name in names)

    # A deletion date too close: a French message, the date kept, nothing changed.
    open_action(page, "lifecycle", "desactiver")
    too_soon = timezone.localdate() + timedelta(days=10)
    page.locator("[name=deletion_date]").fill(too_soon.isoformat())
    page.locator("[name=reason]").fill("La commune a fusionné avec sa voisine.")
    page.locator("input[type=submit].default").click()
    assert "au moins 30 jours" in page.locator("main").inner_text()
    assert page.locator("[name=reason]").input_value() == "La commune a fusionné avec sa voisine."
    assert_accessible(page)
    town.refresh_from_db()
    assert town.deletion_scheduled_for is None

    later = timezone.localdate() + timedelta(days=31)
    page.locator("[name=deletion_date]").fill(later.isoformat())
    continue_and_confirm(page)
    page.wait_for_selector("#lifecycle-state[data-state=deactivated]")
    assert_accessible(page)
    town.refresh_from_db()
    assert town.status == Collectivite.Status.DEACTIVATED
    assert town.deletion_scheduled_for == later

    site = browser.new_context(locale="fr-FR").new_page()
    try:
        response = site.goto(server.url(town_host, "/"))
        assert response is not None and response.status == 410
        assert_accessible(site)
    finally:
        site.context.close()

    # The wipe: refused to the staff member who deactivated it, and before the date.
    page.locator('#lifecycle a[href$="/effacer/"]').click()
    page.wait_for_selector("[name=reason]")
    assert_accessible(page)
    page.locator("[name=typed_name]").fill(TOWN["name"])
    page.locator("[name=reason]").fill("Demande de la commune.")
    continue_and_confirm(page)
    refusal = page.locator(".errornote, .errorlist").first.inner_text()
    assert "ne peuvent être effacées qu’à partir du" in refusal.replace("'", "’")
    town.refresh_from_db()
    assert town.wiped_at is None

    # Taken back: the site is open again.
    page.goto(tenant_page)
    open_action(page, "lifecycle", "reouvrir")
    page.locator("[name=reason]").fill("La fusion est reportée.")
    continue_and_confirm(page)
    page.wait_for_selector("#lifecycle-state[data-state=open]")
    town.refresh_from_db()
    assert town.status == Collectivite.Status.READY and town.deletion_scheduled_for is None
    site = browser.new_context(locale="fr-FR").new_page()
    try:
        response = site.goto(server.url(town_host, "/"))
        assert response is not None and response.status == 200
    finally:
        site.context.close()


def test_a_town_admin_takes_the_sites_data_away(
    live_server_any_host: LiveServer, page: Any, django_db_blocker: Any
) -> None:
    server = live_server_any_host
    town = Collectivite.objects.get(slug=TOWN["slug"])
    host = f"{TOWN['slug']}.{settings.ROOT_DOMAIN}"
    with django_db_blocker.unblock(), schema_context(town.schema_name):
        create_member(
            email=ADMIN_EMAIL, display_name="Le maire", role=User.Role.ADMIN, password=TEST_PASSWORD
        )
    try:
        log_in(page, server, host, ADMIN_EMAIL, TEST_PASSWORD)
        page.goto(server.url(host, "/administration/"))
        page.get_by_role("link", name="Vos données").click()
        page.wait_for_url("**/administration/export/")
        assert_accessible(page)
        page.locator("#request-export").click()
        link = page.locator("#exports tbody tr[data-state=ready] a").first
        link.wait_for()
        assert_accessible(page)
        with page.expect_download() as download:
            link.click()
        names = archive_names(download.value.path().read_bytes())
        assert any(name.endswith(".csv") for name in names)
    finally:
        with django_db_blocker.unblock():
            with schema_context(town.schema_name):
                User.objects.filter(email=ADMIN_EMAIL).delete()
            with schema_context("public"):
                forget_exports(town)
