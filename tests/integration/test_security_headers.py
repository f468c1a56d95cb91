"""The security headers, exactly, on every kind of answer: a town's pages and the public site's,
the tenant middleware's own (unknown town, a town not ready, a foreign host), /healthz, the API,
the ops console, static files, the error pages; the nonce of a page's <style> is the header's.

The expected values are written out here, not read from the settings: a change of policy shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from config.security_headers import content_security_policy
from tenants import errors
from tenants.models import Collectivite
from tests.ops_support import TENANTS_LIST
from tests.stripe_support import StripeStub

pytestmark = pytest.mark.django_db

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self' localhost:* *.localhost:*; "
    "frame-ancestors 'none'"
)
PERMISSIONS = (
    "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=()"
)
OTHER_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS,
}
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{22})'")


def assert_headers(response: Any, *, nonce: bool = False, policy: str = POLICY) -> None:
    """Every header, exactly; with `nonce`, the page's <style> or <script> carries the nonce
    that the policy allows, else the policy names none."""
    found = {name: response.get(name) for name in OTHER_HEADERS}
    assert found == OTHER_HEADERS
    header = response["Content-Security-Policy"]
    nonces = set(NONCE.findall(header))
    if nonce:
        assert len(nonces) == 1, header
        value = nonces.pop()
        assert f"script-src 'self' 'nonce-{value}'; style-src 'self' 'nonce-{value}';" in header
        assert f'nonce="{value}"' in response.content.decode()
        header = header.replace(f" 'nonce-{value}'", "")
    assert "nonce" not in header
    assert header == policy
    assert "Content-Security-Policy-Report-Only" not in response
    assert "Strict-Transport-Security" not in response  # production only, over HTTPS


def policy_directives(response: Any) -> dict[str, str]:
    return dict(part.split(" ", 1) for part in response["Content-Security-Policy"].split("; "))


def _set_status(town: Collectivite, status: str) -> None:
    town.status = status
    town.save(update_fields=["status"])


# --- A town's pages and the public site's ----------------------------------------------------


def test_a_town_page_carries_every_header_and_the_nonce_of_its_colour(client_for, town_a) -> None:
    response = client_for(town_a).get("/")
    assert response.status_code == 200
    assert_headers(response, nonce=True)
    assert re.search(r'<style nonce="[^"]+">:root \{ --color-primary: #', response.content.decode())


def test_town_b_carries_the_same_headers_with_a_nonce_of_its_own(
    client_for, town_a, town_b
) -> None:
    page_a, page_b = client_for(town_a).get("/"), client_for(town_b).get("/")
    assert_headers(page_b, nonce=True)
    assert page_a["Content-Security-Policy"] != page_b["Content-Security-Policy"]


def test_a_logged_in_page_carries_the_headers(client_for, town_a, resident_a) -> None:
    response = client_for(town_a, resident_a).get("/mon-compte/")
    assert response.status_code == 200
    assert_headers(response, nonce=True)


def test_the_public_home_page_carries_the_headers_and_needs_no_nonce(public_client) -> None:
    response = public_client.get("/")
    assert response.status_code == 200
    assert_headers(response)
    assert "nonce" not in response.content.decode()


def test_no_page_of_the_sample_has_a_style_attribute_or_an_inline_script(
    client_for, town_a, admin_a
) -> None:
    admin = client_for(town_a, admin_a)
    for url in ("/", "/administration/", "/administration/configuration/apparence/"):
        page = admin.get(url).content.decode()
        assert " style=" not in page, url
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", page), url


# --- The tenant middleware's own answers ------------------------------------------------------


def test_an_unknown_town_carries_the_headers() -> None:
    response = Client(HTTP_HOST="nulle-part.localhost").get("/")
    assert response.status_code == 404
    assert_headers(response)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (Collectivite.Status.PROVISIONING, 503),
        (Collectivite.Status.SUSPENDED, 503),
        (Collectivite.Status.DEACTIVATED, 410),
    ],
)
def test_a_town_not_ready_carries_the_headers(client_for, town_a, status, code) -> None:
    _set_status(town_a, status)
    response = client_for(town_a).get("/")
    assert response.status_code == code
    assert_headers(response)


def test_a_foreign_host_carries_the_headers() -> None:
    response = Client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 400
    assert_headers(response)


@override_settings(
    SECURE_HSTS_SECONDS=31_536_000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=False
)
def test_over_https_production_s_hsts_comes_with_the_tenant_middleware_s_own_pages() -> None:
    response = Client(HTTP_HOST="nulle-part.localhost").get("/", secure=True)
    assert response.status_code == 404
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["Content-Security-Policy"] == POLICY


# --- /healthz, the API, the console, static files ---------------------------------------------


def test_healthz_carries_the_headers(public_client) -> None:
    response = public_client.get("/healthz")
    assert response.status_code == 200
    assert_headers(response)


def test_the_api_carries_the_headers(client_for, town_a, resident_a) -> None:
    assert_headers(client_for(town_a).get("/api/v1/posts/"))  # 401, no key
    response = client_for(town_a, resident_a).get("/api/v1/posts/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert_headers(response)


def test_the_api_documentation_carries_the_headers(client_for, town_a) -> None:
    response = client_for(town_a).get("/api/")
    assert response.status_code == 200
    assert_headers(response, nonce=True)  # a page of the town's site, in its colour


def test_the_ops_console_carries_the_headers(public_client, console: Client) -> None:
    redirect = public_client.get("/ops/")  # to the login page
    assert redirect.status_code == 302
    assert_headers(redirect)
    response = console.get(TENANTS_LIST)  # the console's own frame: no inline style or script
    assert response.status_code == 200
    assert_headers(response)


@pytest.mark.parametrize("host", ["localhost", "town-a.localhost"])
def test_static_files_carry_the_headers(host: str, town_a) -> None:
    response = Client(HTTP_HOST=host).get("/static/css/placette.css")
    assert response.status_code == 200
    assert_headers(response)


# --- The error pages ---------------------------------------------------------------------------


def test_a_missing_page_carries_the_headers(client_for, town_a, public_client) -> None:
    for response in (client_for(town_a).get("/pas-de-page-ici/"), public_client.get("/rien/")):
        assert response.status_code == 404
        assert_headers(response)


def _fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def _database_away(request: HttpRequest) -> HttpResponse:
    raise OperationalError("the server closed the connection")


urlpatterns = [path("bug/", _fails), path("base-absente/", _database_away)]
handler500 = errors.server_error


@pytest.mark.parametrize(("url", "code"), [("/bug/", 500), ("/base-absente/", 503)])
def test_the_error_pages_of_a_failure_carry_the_headers(settings, url: str, code: int) -> None:
    settings.PUBLIC_SCHEMA_URLCONF = __name__  # this module: two views that fail
    response = Client(HTTP_HOST="localhost", raise_request_exception=False).get(url)
    assert response.status_code == code
    assert_headers(response)


# --- The payment page: Stripe.js besides the site's own ---------------------------------------


def test_only_the_payment_page_allows_stripe(
    client_for: Callable[..., Client], town_a, admin_a, account_a, stripe_stub: StripeStub, settings
) -> None:
    admin = client_for(town_a, admin_a)
    billing = admin.get("/administration/abonnement/")
    assert "stripe" not in billing["Content-Security-Policy"]
    response = admin.post(
        "/administration/abonnement/souscrire/",
        {"period": "monthly", "method": "card", "token": "t"},
    )
    assert response.status_code == 200
    stripe = "{0.scheme}://{0.netloc}".format(urlsplit(settings.STRIPE_API_BASE))
    directives = policy_directives(response)
    assert NONCE.fullmatch(directives["style-src"].removeprefix("'self' "))
    nonce = directives["style-src"].removeprefix("'self' ")
    assert directives["script-src"] == f"'self' {nonce} {stripe} https://*.js.stripe.com"
    assert directives["connect-src"] == f"'self' {stripe}"
    assert directives["frame-src"] == (
        "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com"
    )
    assert directives["form-action"] == "'self' localhost:* *.localhost:*"
    assert directives["frame-ancestors"] == "'none'"
    assert f'<script src="{settings.STRIPE_JS_URL}">' in response.content.decode()


def test_in_production_forms_may_lead_to_the_towns_sites_on_their_default_port() -> None:
    policy = content_security_policy("placette.fr", any_port=False)
    assert policy["form-action"] == ["'self'", "placette.fr", "*.placette.fr"]
