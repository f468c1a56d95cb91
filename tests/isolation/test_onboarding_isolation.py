"""A new town's admin has no power anywhere else; their account lives in their town only."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from tests.directory_sample import load_directory_sample
from tests.helpers import probe
from tests.onboarding_support import TRIAL_FORM

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_town_admin(db: None, django_capture_on_commit_callbacks) -> Client:
    """Chavenay signs up; returns the signer's browser, logged in on chavenay.localhost."""
    load_directory_sample()
    public = Client(HTTP_HOST=settings.ROOT_DOMAIN)
    with django_capture_on_commit_callbacks(execute=True):
        public.post(
            "/essai/commune/78152/",
            TRIAL_FORM,
        )
    link = re.search(r"(/essai/confirmer/\S+/)", str(mail.outbox[-1].body))
    assert link
    welcome = public.post(link.group(1))["Location"]
    browser = Client(HTTP_HOST="chavenay.localhost")
    browser.get(urlparse(welcome).path)
    assert browser.get("/").wsgi_request.user.is_authenticated
    return browser


def test_the_new_admin_is_nobody_on_other_towns_or_the_root(
    new_town_admin: Client, town_a, admin_a
) -> None:
    new_town_admin.defaults["HTTP_HOST"] = town_a.primary_host
    assert not new_town_admin.get("/").wsgi_request.user.is_authenticated
    probe(new_town_admin, "/administration/abonnement/")
    probe(
        new_town_admin, "/administration/abonnement/resilier/", method="post", data={"token": "t"}
    )
    new_town_admin.defaults["HTTP_HOST"] = settings.ROOT_DOMAIN
    assert not new_town_admin.get("/").wsgi_request.user.is_authenticated
    for schema_name in ("public", town_a.schema_name):
        with schema_context(schema_name):
            assert not User.objects.filter(email="maire@chavenay.fr").exists()
