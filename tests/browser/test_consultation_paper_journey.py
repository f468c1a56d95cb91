"""Staff type in a paper answer in the browser (a refused form first, nothing typed lost, then
"save and type in another"), then download the open-data CSV and XLSX: both hold the online
and the paper answers and nobody's name or email. axe-core finds nothing to fix on the way."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from participation.consultations import answering
from participation.consultations.models import Consultation, ConsultationResponse
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS
from tests.consultation_support import every_kind
from townsite.models import Neighbourhood

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
TITLE = "Consultation sur les jardins familiaux"
ADMIN = ("papier-mairie@town-a.example", "Agent d'accueil", User.Role.ADMIN)
RESIDENT = ("hortense.secrete@town-a.example", "Hortense Jardinière-Secrète", User.Role.RESIDENT)
COMMUNE = "Le Moulin"


@pytest.fixture
def world(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Committed in town A: an admin, a resident who answered online, the consultation."""
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            people = {
                role: create_member(email=email, display_name=name, role=role,
                                    password=TEST_PASSWORD)
                for email, name, role in (ADMIN, RESIDENT)
            }  # fmt: skip
            Neighbourhood.objects.create(name=COMMUNE)
            consultation, q = every_kind(title=TITLE)
            answering.submit_answer(
                consultation,
                user=people[User.Role.RESIDENT],
                browser_key="",
                answers={str(q["single"].pk): "En voiture", str(q["number"].pk): "2"},
            )
    yield {"schema": schema, "consultation": consultation, "q": q}
    with django_db_blocker.unblock(), schema_context(schema):
        Consultation.objects.filter(title=TITLE).delete()
        Neighbourhood.objects.filter(name=COMMUNE).delete()
        User.objects.filter(email__in=[ADMIN[0], RESIDENT[0]]).delete()


def _download(page: Any, link_name: str, tmp_path: Path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


def test_staff_type_in_a_paper_answer_and_download_the_open_data(
    live_server_any_host: LiveServer, page: Any, world: dict[str, Any], tmp_path: Path
) -> None:
    consultation = world["consultation"]
    log_in(page, live_server_any_host, HOST, ADMIN[0], TEST_PASSWORD)
    page.goto(live_server_any_host.url(HOST, f"/administration/consultations/{consultation.pk}/"))
    page.get_by_role("link", name="Réponses sur papier").click()
    assert_accessible(page)
    page.get_by_role("link", name="Saisir une réponse sur papier").click()
    page.get_by_label("Commune ou quartier écrit sur le formulaire").select_option(label=COMMUNE)
    page.get_by_label("Combien de fois par semaine ?").fill("20")  # above the highest, 14
    page.get_by_label("Vos remarques").fill("Des composteurs près des parcelles")
    page.get_by_role("button", name="Enregistrer et en saisir une autre").click()
    # Refused: the required question and the number, in French; what was typed is still there.
    page.get_by_text("Cette question demande une réponse.").wait_for()
    assert page.get_by_text("Donnez un nombre entre 0 et 14.").is_visible()
    assert page.get_by_label("Vos remarques").input_value() == "Des composteurs près des parcelles"
    assert_accessible(page)
    page.get_by_label("À vélo").check()
    page.get_by_label("Combien de fois par semaine ?").fill("4")
    page.get_by_role("button", name="Enregistrer et en saisir une autre").click()
    page.get_by_text("Réponse sur papier enregistrée. Vous pouvez saisir la suivante.").wait_for()
    assert page.get_by_label("Vos remarques").input_value() == ""  # the next paper form
    page.get_by_role("link", name="Retour aux réponses sur papier").click()
    page.get_by_role("cell", name="Formulaire papier 1 Sur papier").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Données ouvertes").click()
    page.get_by_text("Licence Ouverte").first.wait_for()
    assert_accessible(page)
    csv_bytes = _download(page, "Télécharger le fichier CSV", tmp_path)
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig")), delimiter=";"))
    assert [row[2] for row in rows[1:]] == ["En ligne", "Sur papier"]
    assert rows[2][3] == COMMUNE
    assert "À vélo" in rows[2] and "En voiture" in rows[1]
    xlsx_bytes = _download(page, "Télécharger le fichier XLSX", tmp_path)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    answers = list(book["Réponses"].iter_rows(values_only=True))
    assert [row[2] for row in answers[1:]] == ["En ligne", "Sur papier"]
    about = dict(book["À propos"].iter_rows(values_only=True))
    assert about["Nombre de réponses"] == "2"
    unpacked = _xlsx_texts(xlsx_bytes)
    for secret in (RESIDENT[0], RESIDENT[1], "Hortense", ADMIN[0], ADMIN[1]):
        assert secret.encode() not in csv_bytes
        assert secret.encode() not in unpacked
    # The remark was not reviewed: it stays out of the open data.
    assert b"composteurs" not in csv_bytes and b"composteurs" not in unpacked
    with schema_context(world["schema"]):
        typed = ConsultationResponse.objects.get(consultation=consultation, channel="paper")
        assert typed.respondent_id is None
        assert typed.entered_by is not None and typed.entered_by.email == ADMIN[0]


def _xlsx_texts(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())
