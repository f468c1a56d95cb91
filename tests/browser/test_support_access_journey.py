"""A town admin grants support access; our staff (TOTP) open the site as support and read a
resident's post; the admin ends the access and the staff member no longer sees it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member, create_ops_staff
from mutual_aid.factories import PostFactory
from mutual_aid.models import Post
from ops.models import SupportGrant
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS
from tests.ops_support import TOTP_SECRET

pytestmark = pytest.mark.browser
ADMIN_EMAIL = "maire-support@town-a.example"
STAFF_EMAIL = "support-journey@placette.example"
AUTHOR_EMAIL = "voisine-support@town-a.example"
POST_TITLE = "Poussette à donner, quartier de la gare"


@dataclass
class Cast:
    town: Collectivite
    post: Post


@pytest.fixture
def committed_cast(django_db_blocker: Any) -> Iterator[Cast]:
    with django_db_blocker.unblock():
        town = Collectivite.objects.get(slug=TOWNS["a"]["slug"])
        with schema_context(town.schema_name), transaction.atomic():
            create_member(
                email=ADMIN_EMAIL,
                display_name="Madame la maire",
                role=User.Role.ADMIN,
                password=TEST_PASSWORD,
            )
            post = PostFactory.create(title=POST_TITLE, author__email=AUTHOR_EMAIL)
        with schema_context("public"), transaction.atomic():
            staff = create_ops_staff(email=STAFF_EMAIL, display_name="Sam", password=TEST_PASSWORD)
            Authenticator.objects.create(
                user=staff, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
            )
    yield Cast(town, post)
    with django_db_blocker.unblock():
        SupportGrant.objects.filter(collectivite=town).delete()  # and their uses
        with schema_context(town.schema_name):
            Post.objects.filter(title=POST_TITLE).delete()
            User.objects.filter(email=AUTHOR_EMAIL).delete()
            User.objects.filter(email=ADMIN_EMAIL).delete()
        with schema_context("public"):
            # Not .delete(): its cascade would look for the towns' tables in the public schema.
            Authenticator.objects.filter(user__email=STAFF_EMAIL).delete()
            EmailAddress.objects.filter(user__email=STAFF_EMAIL).delete()
            User.objects.filter(email=STAFF_EMAIL)._raw_delete("default")


def _staff_logs_in(page: Any, server: LiveServer) -> None:
    root = settings.ROOT_DOMAIN
    page.goto(server.url(root, "/accounts/login/"))
    page.locator("input[name=login]").fill(STAFF_EMAIL)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/accounts/2fa/authenticate/")
    counter = next(iter(yield_hotp_counters_from_time()))
    page.locator("input[name=code]").fill(format_hotp_value(hotp_value(TOTP_SECRET, counter)))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_load_state()


def test_staff_see_the_site_only_during_the_grant(
    live_server_any_host: LiveServer, browser: Any, committed_cast: Cast
) -> None:
    server, town = live_server_any_host, committed_cast.town
    host = town.primary_host
    post_url = server.url(host, f"/entraide/{committed_cast.post.pk}/")

    admin = browser.new_context(locale="fr-FR").new_page()
    log_in(admin, server, host, ADMIN_EMAIL, TEST_PASSWORD)
    admin.goto(server.url(host, "/administration/support/"))
    assert_accessible(admin)
    admin.locator("#id_hours_1").check()  # 24 hours
    admin.locator("#grant-support").click()
    admin.wait_for_selector("#support-status[data-live=yes]")
    assert_accessible(admin)

    staff = browser.new_context(locale="fr-FR").new_page()
    _staff_logs_in(staff, server)
    staff.goto(server.url(settings.ROOT_DOMAIN, f"/ops/collectivites/{town.pk}/"))
    assert staff.locator("#support[data-live=yes]").count() == 1
    assert_accessible(staff)
    # The button opens a new tab; here, the same one.
    staff.eval_on_selector("#open-as-support", "b => b.form.removeAttribute('target')")
    staff.locator("#open-as-support").click()
    staff.wait_for_url(server.url(host))
    staff.goto(post_url)
    assert POST_TITLE in staff.content()

    admin.reload()
    assert f"/entraide/{committed_cast.post.pk}/" in admin.content()
    admin.locator("#revoke-support").click()
    admin.wait_for_selector("#support-status[data-live=no]")

    response = staff.goto(post_url)
    assert response.status == 403
    assert POST_TITLE not in staff.content()
    assert_accessible(staff)
