"""Our staff, signed in with TOTP, find a town in the console, extend its trial, suspend it with
a message (its site then shows the status page with that message) and reactivate it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_ops_staff
from billing.models import BillingAccount
from tests.billing_fixtures import forget_committed_billing
from tests.browser.conftest import LiveServer, assert_accessible
from tests.conftest import TOWNS
from tests.ops_support import TENANTS_LIST, TOTP_SECRET

pytestmark = pytest.mark.browser
STAFF_EMAIL = "journey-ops@placette.example"
MESSAGE = "Le site est fermé pendant les travaux de la mairie."


@pytest.fixture
def committed_staff(django_db_blocker: Any) -> Iterator[User]:
    """A staff member with TOTP, committed for the server's threads; town A's billing is put
    back as the session made it afterwards."""
    with django_db_blocker.unblock():
        account = BillingAccount.objects.get(collectivite__slug=TOWNS["a"]["slug"])
        trial_end = account.trial_ends_at
        with schema_context("public"):
            staff = create_ops_staff(email=STAFF_EMAIL, display_name="Olga", password=TEST_PASSWORD)
            Authenticator.objects.create(
                user=staff, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
            )
    yield staff
    with django_db_blocker.unblock():
        with schema_context("public"):
            # The ORM's cascade would look for the towns' own tables (notifications) in the
            # public schema: the staff member's rows go one by one.
            Authenticator.objects.filter(user=staff).delete()
            EmailAddress.objects.filter(user=staff).delete()
            User.objects.filter(pk=staff.pk)._raw_delete(connection.alias)
        forget_committed_billing(account)
        BillingAccount.objects.filter(pk=account.pk).update(
            trial_ends_at=trial_end, suspension_message=""
        )


def totp_code() -> str:
    return format_hotp_value(hotp_value(TOTP_SECRET, next(yield_hotp_counters_from_time())))


def sign_in_with_totp(page: Any, server: LiveServer) -> None:
    root = settings.ROOT_DOMAIN
    page.goto(server.url(root, "/accounts/login/"))
    page.locator("input[name=login]").fill(STAFF_EMAIL)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.locator("input[name=code]").fill(totp_code())
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url(lambda url: "/2fa/" not in url)


def run_action(page: Any, link: str, **fields: str) -> None:
    """From the tenant page: open the action, fill it, continue, check the summary, confirm."""
    page.locator(f'#billing-actions a[href$="/{link}/"]').click()
    for name, value in fields.items():
        page.locator(f"[name={name}]").fill(value)
    assert_accessible(page)
    page.locator("input[type=submit].default").click()
    assert page.locator("input[name=confirmed]").count() == 1  # the confirmation step
    assert_accessible(page)
    page.locator("input[type=submit].default").click()
    page.wait_for_selector("#billing-title")


def test_staff_find_a_town_extend_its_trial_suspend_and_reactivate_it(
    live_server_any_host: LiveServer, page: Any, committed_staff: User, browser: Any
) -> None:
    server = live_server_any_host
    town_host = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
    sign_in_with_totp(page, server)

    page.goto(server.url(settings.ROOT_DOMAIN, TENANTS_LIST))
    page.locator("#searchbar").fill(TOWNS["a"]["name"])
    page.locator("#searchbar").press("Enter")
    page.get_by_role("link", name=TOWNS["a"]["name"], exact=True).wait_for()
    assert_accessible(page)  # the search and the filters' form, the table, the pages
    page.get_by_role("link", name=TOWNS["a"]["name"], exact=True).click()
    page.wait_for_selector("#identity-title")
    assert_accessible(page)

    trial_end = BillingAccount.objects.get(collectivite__slug=TOWNS["a"]["slug"]).trial_ends_at
    run_action(page, "essai", days="10", reason="La mairie attend le vote du budget.")
    account = BillingAccount.objects.get(collectivite__slug=TOWNS["a"]["slug"])
    assert trial_end is not None and account.trial_ends_at == trial_end + timedelta(days=10)

    run_action(page, "suspendre", message=MESSAGE, reason="Demande écrite du maire.")
    visitor = browser.new_context(locale="fr-FR").new_page()
    response = visitor.goto(server.url(town_host))
    assert response.status == 503
    assert visitor.locator("#suspension-message").inner_text() == MESSAGE
    assert_accessible(visitor)

    run_action(page, "reactiver", reason="Travaux terminés.")
    response = visitor.goto(server.url(town_host))
    assert response.status == 200
    assert visitor.locator("#suspension-message").count() == 0
    visitor.context.close()
