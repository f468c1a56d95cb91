"""A mayor starts a free trial: finds the commune, reads and accepts the texts, confirms by email,
chooses a password, lands in the set-up wizard of a site marked unverified; someone else claims
the same commune and is told our team will call. axe-core checks every page on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection

from billing.models import BillingAccount
from onboarding.models import LegalAcceptance, SignupRequest, SiteClaim
from tenants.models import AuditEntry, Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.directory_sample import load_directory_sample, remove_directory_sample

pytestmark = pytest.mark.browser

SIGNER = "claire.martin@gmail.com"  # not the town hall's domain: the site opens unverified
PASSWORD = "une-place-au-soleil-78"  # noqa: S105  (test data)


@pytest.fixture
def directory_and_cleanup(django_db_blocker: Any) -> Iterator[None]:
    """Directory rows the server threads can see; the town made by the journey goes after."""
    with django_db_blocker.unblock():
        load_directory_sample()
    yield
    with django_db_blocker.unblock():
        SiteClaim.objects.filter(official_code="78152").delete()
        for town in Collectivite.objects.filter(slug="chavenay"):
            LegalAcceptance.objects.filter(collectivite=town).delete()
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
        SignupRequest.objects.filter(official_code="78152").delete()
        remove_directory_sample()


def _box(page: Any, label: str) -> Any:
    return page.get_by_label(label, exact=False).bounding_box()


def test_trial_sign_up_to_an_unverified_site_and_a_second_claim(
    live_server_any_host: LiveServer,
    page: Any,
    browser: Any,
    directory_and_cleanup: None,
    django_db_blocker: Any,
) -> None:
    server = live_server_any_host
    root = django_settings.ROOT_DOMAIN
    page.goto(server.url(root))
    assert_accessible(page)
    page.get_by_role("link", name="Commencer un essai gratuit").first.click()
    page.wait_for_url("**/essai/")
    assert_accessible(page)

    page.get_by_label("Nom, code postal ou code INSEE").fill("chavenay")
    page.get_by_role("link", name="Chavenay (78)").click()  # htmx showed it as we typed
    page.wait_for_url("**/essai/commune/78152/")
    assert page.get_by_label("Adresse de votre site").input_value() == "chavenay"
    assert_accessible(page)

    # "Quelle fonction ?" only for "Autre"; both boxes the same size, however long their label.
    which = page.get_by_label("Quelle fonction ?")
    assert not which.is_visible()
    page.get_by_label("Autre", exact=True).check()
    assert which.is_visible()
    page.get_by_label("Maire, ou présidence de l’intercommunalité").check()
    assert not which.is_visible()
    terms = _box(page, "J’accepte les conditions d’utilisation.")
    agreement = _box(page, "J’accepte l’accord de traitement des données")
    assert (terms["width"], terms["height"]) == (agreement["width"], agreement["height"])

    # The texts can be read before they are ticked (in a new tab).
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=re.compile("Lire : Accord de traitement des données")).click()
    text = opened.value
    text.wait_for_load_state()
    assert "Sous-traitants ultérieurs" in text.locator("main").inner_text()
    assert_accessible(text)
    text.close()

    page.get_by_label("Votre nom").fill("Claire Martin")
    page.get_by_label("Maire, ou présidence de l’intercommunalité").check()
    page.get_by_label("E-mail professionnel").fill(SIGNER)
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
    assert SIGNER in page.locator("main").inner_text()
    assert_accessible(page)

    link = re.search(r"https?://\S+/essai/confirmer/\S+/", str(mail.outbox[-1].body))
    assert link
    page.goto(link.group(0))
    assert_accessible(page)
    page.get_by_role("button", name="Créer mon site").click()

    # The welcome starts with the password; the wizard sends back there until it is chosen.
    page.wait_for_url(re.compile(r"http://chavenay\.localhost:\d+/bienvenue/mot-de-passe/"))
    assert "D’abord, choisissez votre mot de passe" in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(server.url("chavenay.localhost", "/administration/configuration/apparence/"))
    page.wait_for_url("**/bienvenue/mot-de-passe/")
    page.get_by_label("Choisissez votre mot de passe").fill(PASSWORD)
    page.get_by_label("Tapez encore une fois le même mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    page.wait_for_url(re.compile(r"http://chavenay\.localhost:\d+/administration/configuration/"))
    assert "Votre mot de passe est enregistré" in page.locator("main").inner_text()
    assert page.locator(".brand").inner_text() == "Chavenay"
    assert "Essai gratuit : 90 jours restants" in page.locator(".banner").inner_text()
    assert_accessible(page)

    # The site is live and says, to its admins, that it is being verified.
    page.goto(server.url("chavenay.localhost", "/administration/"))
    assert "Votre site n’est pas encore vérifié" in page.get_by_test_id("unverified").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Politique de confidentialité").click()
    page.wait_for_url("**/confidentialite/")
    assert (
        "Chavenay est responsable du traitement" in page.get_by_test_id("controller").inner_text()
    )
    assert_accessible(page)
    page.get_by_role("link", name="Mentions légales").click()
    assert_accessible(page)

    # Logged out, the mayor opens the link again: the site exists, here is how to log in; and
    # the password chosen gets them back in.
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(link.group(0))
    assert "Le site de Chavenay existe déjà" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Me connecter à mon site").click()
    page.wait_for_url(re.compile(r"http://chavenay\.localhost:\d+/accounts/login/"))
    log_in(page, server, "chavenay.localhost", SIGNER, PASSWORD)

    # Someone else claims Chavenay: recorded and flagged to our staff, not refused.
    other = browser.new_context(locale="fr-FR").new_page()
    other.goto(server.url(root, "/essai/commune/78152/"))
    assert "a déjà un site, en cours de vérification" in other.locator("h1").inner_text()
    assert_accessible(other)
    other.get_by_label("Votre nom").fill("Paul Durand")
    other.get_by_label("Maire, ou présidence de l’intercommunalité").check()
    other.get_by_label("E-mail professionnel").fill("maire@chavenay.fr")
    other.get_by_label("Téléphone").fill("01 30 54 11 11")
    other.get_by_label("Ce que notre équipe doit savoir").fill("Je suis le maire.")
    mail.outbox.clear()
    other.get_by_role("button", name="Envoyer ma demande à l’équipe Placette").click()
    other.wait_for_url("**/essai/demande-enregistree/")
    told = other.locator("main").inner_text()
    assert "que notre équipe est en train de vérifier" in told
    assert "Notre équipe vous contactera à maire@chavenay.fr" in told
    assert_accessible(other)
    assert [message.to for message in mail.outbox] == [[django_settings.OPS_EMAIL]]
    with django_db_blocker.unblock():
        assert SiteClaim.objects.get(official_code="78152").email == "maire@chavenay.fr"
        town = Collectivite.objects.get(slug="chavenay")
        assert town.verified_at is None and town.is_serving
    other.context.close()
