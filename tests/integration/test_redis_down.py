"""Redis stops under the running site: every page still answers, each rate limit as it says.

The cache points at a real redis-server of the test's own (tests.redis_process), stopped for
real: the suite's shared Redis is never touched, so a failure here cannot break later tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from mutual_aid.factories import PostFactory
from onboarding.models import SignupRequest
from tenants import directory
from tenants.cache import STRICT
from tenants.models import Collectivite
from tests.directory_sample import load_directory_sample
from tests.integration.test_onboarding_signup import FORM
from tests.redis_process import RedisProcess
from townsite.setup.queries import LOOK_CACHE_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_server(settings: Any) -> Iterator[RedisProcess]:
    """Both cache aliases on a Redis of this test's own, up to start with."""
    server = RedisProcess()
    server.start()
    settings.CACHES = {
        alias: {**config, "LOCATION": server.url()}
        for alias, config in django_settings.CACHES.items()
    }
    # Every request asks Redis for the host map's generation, as a busy process would.
    settings.TENANT_CACHE_CHECK_SECONDS = 0
    directory.forget_local_hosts()
    yield server
    server.remove()
    directory.forget_local_hosts()


@pytest.fixture
def down(
    redis_server: RedisProcess,
    client_for: Callable[..., Client],
    town_a: Collectivite,
) -> RedisProcess:
    """Pages were served (the host map and the town's look are in Redis), then Redis stopped."""
    assert client_for(town_a).get("/").status_code == 200
    with schema_context(town_a.schema_name):
        assert caches["default"].get(LOOK_CACHE_KEY) is not None
    redis_server.stop()
    return redis_server


def test_the_public_site_answers_without_redis(down, client_for) -> None:
    assert client_for(None).get("/").status_code == 200
    assert client_for(None).get("/essai/").status_code == 200


def test_a_town_site_answers_without_redis(down, client_for, town_a) -> None:
    guest = client_for(town_a)
    home = guest.get("/")
    assert home.status_code == 200
    assert town_a.name in home.content.decode()
    assert guest.get("/accounts/login/").status_code == 200
    assert guest.get("/accounts/signup/").status_code == 200


def test_an_admin_page_answers_without_redis(down, client_for, town_a, admin_a) -> None:
    admin = client_for(town_a, admin_a)
    assert admin.get("/administration/").status_code == 200
    assert admin.get("/administration/habitants/nouveau/").status_code == 200


def test_login_fails_open_without_redis(down, client_for, town_a, resident_a) -> None:
    guest = client_for(town_a)
    for _ in range(12):  # more than allauth's 10 failures a minute: nothing is counted
        wrong = guest.post("/accounts/login/", {"login": resident_a.email, "password": "nope"})
        assert wrong.status_code == 200
        assert "Trop d’essais" not in wrong.content.decode()
    right = guest.post("/accounts/login/", {"login": resident_a.email, "password": TEST_PASSWORD})
    assert right.status_code == 302
    with schema_context(town_a.schema_name):
        assert User.objects.get(pk=resident_a.pk).last_login is not None


def test_the_trial_form_fails_closed_without_redis(down, client_for) -> None:
    load_directory_sample()
    refused = client_for(None).post("/essai/commune/78152/", FORM)
    assert refused.status_code == 400
    assert "Trop de demandes" in refused.content.decode()
    assert not SignupRequest.objects.exists()
    assert mail.outbox == []


def test_desk_codes_fail_closed_without_redis(down, client_for, town_a) -> None:
    response = client_for(town_a).post("/premiere-connexion/", {"code": "ABCD-EFGH"})
    assert response.status_code == 429


def test_the_cache_serves_again_once_redis_is_back(down, client_for, town_a) -> None:
    assert client_for(town_a).get("/").status_code == 200
    down.start()
    assert client_for(town_a).get("/").status_code == 200
    with schema_context(town_a.schema_name):
        assert caches["default"].get(LOOK_CACHE_KEY) is not None
    caches[STRICT].set("probe", "back")
    assert caches[STRICT].get("probe") == "back"


def test_a_welcome_link_fails_closed_without_redis(
    redis_server, django_capture_on_commit_callbacks
) -> None:
    # One use only, and while Redis is away nothing proves it unused: refused, not replayable.
    load_directory_sample()
    public = Client(HTTP_HOST=django_settings.ROOT_DOMAIN)
    with django_capture_on_commit_callbacks(execute=True):
        assert public.post("/essai/commune/78152/", FORM).status_code == 302
    confirm = re.search(r"https?://[^/\s]+(/essai/confirmer/\S+/)", str(mail.outbox[-1].body))
    assert confirm
    welcome = urlparse(public.post(confirm.group(1))["Location"]).path
    redis_server.stop()
    newcomer = Client(HTTP_HOST=f"chavenay.{django_settings.ROOT_DOMAIN}")
    assert newcomer.get(welcome).status_code == 410
    assert not newcomer.get("/").wsgi_request.user.is_authenticated


def test_the_mutual_aid_list_and_its_header_count_answer_without_redis(
    redis_server, client_for, town_a, resident_a, settings
) -> None:
    settings.MUTUAL_AID_LIST_CACHE_SECONDS = 30
    settings.NOTIFICATIONS_UNREAD_CACHE_SECONDS = 300
    with schema_context(town_a.schema_name):
        PostFactory.create(title="Soupe pour un voisin")
    resident = client_for(town_a, resident_a)
    assert "Soupe pour un voisin" in resident.get("/entraide/").content.decode()
    redis_server.stop()
    for _ in range(2):  # rendered each time, nothing kept
        page = resident.get("/entraide/")
        assert page.status_code == 200
        assert "Soupe pour un voisin" in page.content.decode()
