"""Per-address limits count the client behind our proxy, never the proxy, never a forged header."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from tenants.models import Collectivite
from tenants.network import client_ip
from tests.directory_sample import load_directory_sample
from tests.integration.test_onboarding_signup import FORM

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
ALICE = "203.0.113.5"
BOB = "198.51.100.7"
TOO_MANY_LOGINS = "Trop d’essais. Attendez quelques minutes, puis réessayez."


def _address(trusted: int, settings: Any, **meta: Any) -> str:
    settings.TRUSTED_PROXY_COUNT = trusted
    return client_ip(RequestFactory().get("/", **meta))


def test_a_direct_request_is_its_own_peer(settings) -> None:
    assert _address(0, settings, REMOTE_ADDR=ALICE) == ALICE


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(settings) -> None:
    assert _address(0, settings, REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=BOB) == ALICE


def test_behind_one_proxy_the_address_it_saw_is_the_client(settings) -> None:
    # A client may send its own X-Forwarded-For: the proxy appends the real peer after it.
    forged = f"{BOB}, {ALICE}"
    assert _address(1, settings, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged) == ALICE


def test_behind_two_proxies_the_outer_one_is_believed(settings) -> None:
    chain = f"{BOB}, {ALICE}, 192.0.2.10"  # forged, client (seen by the CDN), CDN (seen by Caddy)
    assert _address(2, settings, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain) == ALICE


def test_a_request_that_skipped_the_proxy_counts_as_its_peer(settings) -> None:
    assert _address(1, settings, REMOTE_ADDR=PROXY) == PROXY
    assert _address(2, settings, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE) == PROXY


def test_a_malformed_forwarded_entry_falls_back_to_the_peer(settings) -> None:
    assert _address(1, settings, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="<script>") == PROXY


def test_ports_and_ipv6_are_normalised(settings) -> None:
    assert _address(1, settings, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{ALICE}:4431") == ALICE
    ipv6 = _address(1, settings, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="[2001:DB8::1]:443")
    assert ipv6 == "2001:db8::1"


# --- The trial form (our limit) ----------------------------------------------------------


def _trial_client(**forwarded: Any) -> Client:
    return Client(HTTP_HOST=settings.ROOT_DOMAIN, REMOTE_ADDR=PROXY, **forwarded)


def _request_trials(client: Client, count: int, django_capture_on_commit_callbacks: Any) -> None:
    for number in range(count):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/essai/commune/78152/", {**FORM, "email": f"p{number}@example.org"}
            )
        assert response.status_code == 302, response.content.decode()[:2000]


def _trial_refused(client: Client) -> bool:
    response = client.post("/essai/commune/78152/", {**FORM, "email": "late@example.org"})
    return response.status_code == 400 and "Trop de demandes" in response.content.decode()


def test_two_people_behind_the_proxy_each_get_their_trial_requests(
    settings, django_capture_on_commit_callbacks
) -> None:
    load_directory_sample()
    settings.TRUSTED_PROXY_COUNT = 1
    alice = _trial_client(HTTP_X_FORWARDED_FOR=ALICE)
    _request_trials(alice, 5, django_capture_on_commit_callbacks)
    assert _trial_refused(alice)
    bob = _trial_client(HTTP_X_FORWARDED_FOR=BOB)
    _request_trials(bob, 1, django_capture_on_commit_callbacks)


def test_a_forged_header_without_a_proxy_buys_no_new_tries(
    settings, django_capture_on_commit_callbacks
) -> None:
    load_directory_sample()
    settings.TRUSTED_PROXY_COUNT = 0
    _request_trials(_trial_client(), 5, django_capture_on_commit_callbacks)
    assert _trial_refused(_trial_client(HTTP_X_FORWARDED_FOR=BOB))


# --- Login failures (allauth's limit, through our adapter) -------------------------------


def _fail_logins(client: Client, count: int) -> None:
    for number in range(count):
        response = client.post(
            "/accounts/login/", {"login": f"nobody{number}@example.org", "password": "wrong"}
        )
        assert response.status_code == 200
        assert TOO_MANY_LOGINS not in response.content.decode()


def _login_refused(client: Client) -> bool:
    response = client.post(
        "/accounts/login/", {"login": "someone@example.org", "password": "wrong"}
    )
    return TOO_MANY_LOGINS in response.content.decode()


def test_one_script_behind_the_proxy_does_not_lock_the_town_out(
    settings, town_a: Collectivite
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    script = Client(HTTP_HOST=town_a.primary_host, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE)
    _fail_logins(script, 10)
    assert _login_refused(script)
    neighbour = Client(HTTP_HOST=town_a.primary_host, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=BOB)
    assert not _login_refused(neighbour)


def test_login_failures_count_per_peer_when_no_proxy_is_trusted(
    settings, town_a: Collectivite
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    _fail_logins(Client(HTTP_HOST=town_a.primary_host, REMOTE_ADDR=ALICE), 10)
    forged = Client(HTTP_HOST=town_a.primary_host, REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=BOB)
    assert _login_refused(forged)


def test_login_failures_on_town_a_leave_town_b_open(
    settings, town_a: Collectivite, town_b: Collectivite
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    behind: dict[str, Any] = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ALICE}
    _fail_logins(Client(HTTP_HOST=town_a.primary_host, **behind), 10)
    assert _login_refused(Client(HTTP_HOST=town_a.primary_host, **behind))
    assert not _login_refused(Client(HTTP_HOST=town_b.primary_host, **behind))


def test_an_accounts_failed_logins_count_whatever_port_the_host_names(
    settings, town_a: Collectivite
) -> None:
    """allauth's per-account limit (5 failures in 5 minutes) must not restart with each port."""
    settings.TRUSTED_PROXY_COUNT = 1
    target = {"login": "victim@example.org", "password": "wrong"}
    for number in range(5):
        other_person: dict[str, Any] = {
            "REMOTE_ADDR": PROXY,
            "HTTP_X_FORWARDED_FOR": f"203.0.113.{number + 10}",
        }
        client = Client(HTTP_HOST=f"{town_a.primary_host}:{9000 + number}", **other_person)
        assert TOO_MANY_LOGINS not in client.post("/accounts/login/", target).content.decode()
    last = Client(
        HTTP_HOST=f"{town_a.primary_host}:9999",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert TOO_MANY_LOGINS in last.post("/accounts/login/", target).content.decode()
