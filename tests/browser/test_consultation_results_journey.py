"""Staff open a closed consultation's results (a chart and its table), review a written answer,
publish the results and a conclusion; a resident who answered is told, reads the conclusion and
the published results with the reviewed answer only. axe-core finds nothing on the way."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from notifications.models import Notification
from participation.consultations.models import (
    Consultation,
    ConsultationQuestion,
    ConsultationResponse,
    ConsultationSection,
)
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
TITLE = "Avenir de la halle du marché"
PUBLISHED_TEXT = "Une halle ouverte le dimanche"
WITHHELD_TEXT = "Mon voisin Paul Martin fait du bruit"
PEOPLE = {
    "admin": ("resultats-mairie@town-a.example", "Mairie Résultats", User.Role.ADMIN),
    "resident": ("resultats-habitant@town-a.example", "Jules Avis", User.Role.RESIDENT),
    "other": ("resultats-voisine@town-a.example", "Lise Avis", User.Role.RESIDENT),
}


@pytest.fixture
def world(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            people = {
                key: create_member(
                    email=email, display_name=name, role=role, password=TEST_PASSWORD
                )
                for key, (email, name, role) in PEOPLE.items()
            }
            now = timezone.now()
            consultation = Consultation.objects.create(
                title=TITLE,
                opens_at=now - datetime.timedelta(days=20),
                closes_at=now - datetime.timedelta(days=1),
                published_at=now - datetime.timedelta(days=21),
            )
            section = ConsultationSection.objects.create(consultation=consultation, title="Avis")
            choice = ConsultationQuestion.objects.create(
                consultation=consultation,
                section=section,
                kind="single",
                label="Que faire de la halle ?",
                choices=["La rénover", "La démolir"],
                position=1,
            )
            text = ConsultationQuestion.objects.create(
                consultation=consultation,
                section=section,
                kind="long_text",
                label="Votre idée pour la halle",
                position=2,
            )
            for person, option, words in (
                (people["resident"], "La rénover", PUBLISHED_TEXT),
                (people["other"], "La rénover", WITHHELD_TEXT),
            ):
                ConsultationResponse.objects.create(
                    consultation=consultation,
                    respondent=person,
                    answers={str(choice.pk): option, str(text.pk): words},
                )
    yield {"consultation": consultation, "people": people}
    with django_db_blocker.unblock(), schema_context(schema):
        Consultation.objects.filter(title=TITLE).delete()
        Notification.objects.filter(kind="participation.consultation_conclusion").delete()
        User.objects.filter(email__in=[email for email, _n, _r in PEOPLE.values()]).delete()


def test_staff_publish_results_and_conclusion_a_participant_reads_them(
    live_server_any_host: LiveServer, browser: Any, page: Any, world: dict[str, Any]
) -> None:
    url = live_server_any_host.url
    consultation = world["consultation"]
    log_in(page, live_server_any_host, HOST, PEOPLE["admin"][0], TEST_PASSWORD)
    page.goto(url(HOST, f"/administration/consultations/{consultation.pk}/resultats/"))
    page.locator("figure.chart").first.wait_for()
    page.get_by_role("row", name="La rénover 2 100 %").wait_for()
    assert_accessible(page)

    page.get_by_text("2 réponses écrites attendent votre décision").wait_for()
    page.get_by_role("link", name="Les relire maintenant").click()
    assert_accessible(page)
    page.locator("li", has_text=PUBLISHED_TEXT).get_by_label("Publier", exact=True).check()
    page.locator("li", has_text=WITHHELD_TEXT).get_by_label("Ne pas publier").check()
    page.get_by_role("button", name="Enregistrer mes décisions").click()
    page.get_by_text("2 décisions enregistrées.").wait_for()

    page.get_by_role("link", name="Retour aux résultats").click()
    page.get_by_role("button", name="Publier les résultats").click()
    page.get_by_text("Les résultats sont publiés").wait_for()
    page.get_by_role("link", name="Écrire la conclusion").click()
    assert_accessible(page)
    page.get_by_label("Ce que la commune va faire").fill(
        "<p>La halle sera <strong>rénovée</strong> en 2027.</p><script>alert(1)</script>"
    )
    page.get_by_role("button", name="Publier et prévenir les participants").click()
    page.get_by_text("La conclusion est publiée : chaque participant est prévenu.").wait_for()
    assert_accessible(page)

    context = browser.new_context(locale="fr-FR")
    try:
        resident = context.new_page()
        log_in(resident, live_server_any_host, HOST, PEOPLE["resident"][0], TEST_PASSWORD)
        resident.goto(url(HOST, "/notifications/"))
        resident.get_by_text(f"Ce que la commune va faire après « {TITLE} »").click()
        resident.get_by_role("heading", name="Ce que la commune va faire").wait_for()
        assert "rénovée" in resident.content() and "alert(1)" not in resident.content()
        assert_accessible(resident)
        resident.get_by_role("link", name="Voir les résultats de cette consultation").click()
        resident.get_by_role("row", name="La rénover 2 100 %").wait_for()
        content = resident.content()
        assert PUBLISHED_TEXT in content
        assert WITHHELD_TEXT not in content and "Jules Avis" not in content.split("<main")[-1]
        assert_accessible(resident)
    finally:
        context.close()
