"""An admin builds a questionnaire in the browser (a conditional question included), previews
and publishes it; a resident answers, the conditional question appearing only when it applies,
and sees the confirmation. axe-core finds nothing to fix or to review on the way."""

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
from participation.consultations.models import Consultation, ConsultationResponse
from tenants.models import AuditEntry, Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
TITLE = "Aménagement du parc des Tilleuls"
PEOPLE = {
    "admin": ("consultation-mairie@town-a.example", "Mairie Consultation", User.Role.ADMIN),
    "resident": ("consultation-habitante@town-a.example", "Jeanne Avis", User.Role.RESIDENT),
}


@pytest.fixture
def people(django_db_blocker: Any) -> Iterator[dict[str, User]]:
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            made = {
                key: create_member(
                    email=email, display_name=name, role=role, password=TEST_PASSWORD
                )
                for key, (email, name, role) in PEOPLE.items()
            }
    yield made
    with django_db_blocker.unblock(), schema_context(schema):
        Consultation.objects.filter(title=TITLE).delete()
        Notification.objects.filter(kind="participation.new_consultation").delete()
        User.objects.filter(email__in=[email for email, _n, _r in PEOPLE.values()]).delete()
        AuditEntry.objects.filter(action__startswith="consultation.").delete()


def _add_question(page: Any, kind_label: str, label: str, **fields: str) -> None:
    page.get_by_label("Type de la nouvelle question").select_option(label=kind_label)
    page.get_by_role("button", name="Ajouter une question").click()
    page.get_by_label("Question", exact=True).fill(label)
    for field_label, value in fields.items():
        field = page.get_by_label(field_label.replace("_", " "), exact=True)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    page.get_by_role("button", name="Enregistrer la question").click()
    page.get_by_text("Question ajoutée.").wait_for()


def test_an_admin_builds_and_publishes_a_resident_answers(
    live_server_any_host: LiveServer, browser: Any, page: Any, people: dict[str, User]
) -> None:
    url = live_server_any_host.url
    now = timezone.localtime()
    log_in(page, live_server_any_host, HOST, PEOPLE["admin"][0], TEST_PASSWORD)
    page.goto(url(HOST, "/administration/consultations/nouvelle/"))
    assert_accessible(page)
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Contexte").fill("<p>Nous voulons <strong>votre avis</strong>.</p>")
    page.get_by_label("Ouverture le").fill(
        (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Clôture le").fill(
        (now + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Tous les habitants qui ont un compte").check()
    page.get_by_role("button", name="Créer et écrire les questions").click()
    page.get_by_text("Consultation créée.").wait_for()
    assert_accessible(page)

    _add_question(page, "Oui ou non", "Venez-vous au parc avec des enfants ?")
    _add_question(
        page,
        "Texte court",
        "Quels jeux voudriez-vous ?",
        **{
            "Montrer cette question seulement si": "« Venez-vous au parc avec des enfants ? » : Oui"
        },
    )
    _add_question(
        page,
        "Choix unique",
        "Quand venez-vous ?",
        **{"Options, une par ligne": "Le matin\nL’après-midi"},
    )
    assert_accessible(page)
    # Reorder without a mouse: the "move up" button of the last question, reached by keyboard.
    move_up = page.get_by_role("button", name="Monter « Quand venez-vous ? »")
    move_up.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    labels = page.locator(".builder-questions li strong").all_inner_texts()
    assert labels == [
        "Venez-vous au parc avec des enfants ?",
        "Quand venez-vous ?",
        "Quels jeux voudriez-vous ?",
    ]
    page.get_by_role("link", name="Aperçu").click()
    assert_accessible(page)
    page.get_by_role("link", name="Questionnaire").click()
    page.get_by_role("button", name="Publier la consultation").click()
    page.get_by_text("Publiée : les habitants sont prévenus.").wait_for()

    context = browser.new_context(locale="fr-FR")
    try:
        resident = context.new_page()
        log_in(resident, live_server_any_host, HOST, PEOPLE["resident"][0], TEST_PASSWORD)
        resident.goto(url(HOST, "/consultations/"))
        resident.get_by_role("link", name=TITLE).click()
        conditional = resident.get_by_label("Quels jeux voudriez-vous ?")
        # Hidden by the page's script once it runs (shown without it).
        conditional.wait_for(state="hidden")
        assert_accessible(resident)
        resident.get_by_label("Oui").check()
        conditional.wait_for(state="visible")
        conditional.fill("Une balançoire")
        resident.get_by_label("Le matin").check()
        resident.get_by_role("button", name="Envoyer ma réponse").click()
        resident.get_by_role("heading", name="Merci pour votre réponse").wait_for()
        assert "Une balançoire" in resident.content()
        assert_accessible(resident)
    finally:
        context.close()
    page.get_by_role("link", name="Résultats").click()
    cell = page.get_by_role("row", name="Oui 1 100 %")
    cell.wait_for()
    assert_accessible(page)
    schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
    with schema_context(schema):
        [answer] = ConsultationResponse.objects.filter(consultation__title=TITLE)
        assert answer.respondent_id == people["resident"].pk
        assert "Une balançoire" in answer.answers.values()
