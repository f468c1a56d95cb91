"""A confirmed trial writes "collectivite.created", its signer named as the actor."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from onboarding import services
from tenants.models import AuditEntry, Collectivite
from tests.directory_sample import load_directory_sample
from tests.onboarding_support import TRIAL_FORM
from townsite.setup.audit_labels import ACTIONS

pytestmark = pytest.mark.django_db

FORM = {**TRIAL_FORM, "email": "Maire@Chavenay.fr"}


@pytest.fixture
def confirmation_link(db, django_capture_on_commit_callbacks) -> str:
    load_directory_sample()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client(HTTP_HOST=settings.ROOT_DOMAIN).post("/essai/commune/78152/", FORM)
    assert response.status_code == 302
    found = re.search(r"https?://[^/\s]+(/essai/confirmer/\S+/)", str(mail.outbox[-1].body))
    assert found
    return found.group(1)


def test_a_new_site_records_its_creation_by_the_signer(confirmation_link: str) -> None:
    assert Client(HTTP_HOST=settings.ROOT_DOMAIN).post(confirmation_link).status_code == 302
    town = Collectivite.objects.get(slug="chavenay")
    with schema_context(town.schema_name):
        signer = User.objects.get()
    entry = AuditEntry.objects.get(collectivite=town, action="collectivite.created")
    assert "collectivite.created" in ACTIONS
    assert (entry.actor_schema, entry.actor_id) == (town.schema_name, signer.pk)
    assert entry.actor_label == "Claire Martin <maire@chavenay.fr>"
    assert (entry.target_type, entry.target_id) == ("tenants.collectivite", str(town.pk))
    assert entry.after == {"name": town.name, "slug": "chavenay"}

    # The link works once: no second site, no second entry.
    assert Client(HTTP_HOST=settings.ROOT_DOMAIN).post(confirmation_link).status_code == 410
    assert AuditEntry.objects.filter(action="collectivite.created", collectivite=town).count() == 1


def test_a_failed_provisioning_records_nothing(confirmation_link: str, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the billing database hiccuped")

    monkeypatch.setattr(services, "start_trial", broken)
    before = AuditEntry.objects.count()
    assert Client(HTTP_HOST=settings.ROOT_DOMAIN).post(confirmation_link).status_code == 410
    assert not Collectivite.objects.filter(slug="chavenay").exists()
    assert AuditEntry.objects.count() == before
