"""A mayor starts a free trial: finds the commune, confirms by email, lands in the set-up wizard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from billing.models import BillingAccount
from onboarding.models import SignupRequest
from tenants.models import AuditEntry, Collectivite
from tests.browser.conftest import LiveServer, assert_accessible
from tests.directory_sample import load_directory_sample, remove_directory_sample

pytestmark = pytest.mark.browser


@pytest.fixture
def directory_and_cleanup(django_db_blocker: Any) -> Iterator[None]:
    """Directory rows the server threads can see; the town made by the journey goes after."""
    with django_db_blocker.unblock():
        load_directory_sample()
    yield
    with django_db_blocker.unblock():
        for town in Collectivite.objects.filter(slug="chavenay"):
            SignupRequest.objects.filter(collectivite=town).delete()
            account = BillingAccount.objects.get(collectivite=town)
            account.invoices.all().delete()
            account.delete()
            town.domains.all().delete()
            AuditEntry.objects.filter(collectivite=town).delete()  # the log protects its town
            schema_name = town.schema_name
            town.delete()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{schema_name}" CASCADE')
        SignupRequest.objects.filter(email="maire@chavenay.fr").delete()
        remove_directory_sample()


def test_trial_sign_up_to_the_new_towns_setup_wizard(
    live_server_any_host: LiveServer, page: Any, directory_and_cleanup: None, settings: Any
) -> None:
    settings.SITE_PORT = live_server_any_host.port  # links in emails and redirects
    page.goto(live_server_any_host.url(settings.ROOT_DOMAIN))
    page.get_by_role("link", name="Commencer un essai gratuit").first.click()
    page.wait_for_url("**/essai/")
    assert_accessible(page)

    page.get_by_label("Nom, code postal ou code INSEE").fill("chavenay")
    page.get_by_role("link", name="Chavenay (78)").click()  # htmx showed it as we typed
    page.wait_for_url("**/essai/commune/78152/")
    assert page.get_by_label("Adresse de votre site").input_value() == "chavenay"

    page.get_by_label("Votre nom").fill("Claire Martin")
    page.get_by_label("Maire ou président·e").check()
    page.get_by_label("E-mail professionnel").fill("maire@chavenay.fr")
    page.get_by_label("Téléphone").fill("01 30 54 00 00")
    page.get_by_label("J’accepte les conditions d’utilisation.").check()
    # Forgetting the data processing agreement keeps everything typed and explains.
    page.get_by_role("button", name="Recevoir le lien qui crée mon site").click()
    assert page.get_by_label("Votre nom").input_value() == "Claire Martin"
    assert "Ce champ est obligatoire" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("J’accepte l’accord de traitement des données", exact=False).check()
    mail.outbox.clear()
    page.get_by_role("button", name="Recevoir le lien qui crée mon site").click()
    page.wait_for_url("**/essai/envoye/")
    assert "maire@chavenay.fr" in page.locator("main").inner_text()

    link = re.search(r"https?://\S+/essai/confirmer/\S+/", str(mail.outbox[-1].body))
    assert link
    page.goto(link.group(0))
    page.get_by_role("button", name="Créer mon site").click()

    page.wait_for_url(re.compile(r"http://chavenay\.localhost:\d+/administration/configuration/"))
    assert "Votre site est prêt" in page.locator("main").inner_text()
    assert page.locator(".brand").inner_text() == "Chavenay"
    assert "Essai gratuit : 90 jours restants" in page.locator(".banner").inner_text()
    assert_accessible(page)
