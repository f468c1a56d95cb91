"""Staff download a consultation's answers as open data (CSV, XLSX, JSON): one numbered row per
answer, online and on paper, choices in words, texts only once published after review, the
licence said in the file, formulas kept as text, and nobody's name or email anywhere."""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from participation.consultations import answering, paper
from participation.consultations.answer_form import AnswerForm
from participation.consultations.models import ConsultationResponse, ConsultationTextReview
from tests.consultation_support import answer_form, every_kind
from tests.helpers import body, probe
from townsite.models import Neighbourhood, ResidentProfile

pytestmark = pytest.mark.django_db
BASE = "/administration/consultations/"
PEOPLE = [
    ("Bérénice Fontaine-Secrète", "berenice.secrete@exemple.fr"),
    ("Octave Inconnu", "octave.discret@exemple.fr"),
]
PUBLISHED_TEXT = "Plus d'ombre sous les platanes"
WITHHELD_TEXT = "Appelez-moi au 06 12 34 56 78"
FORMULA = '=HYPERLINK("http://pirate.example","clic")'


def _answers(consultation, q, **overrides) -> dict[str, Any]:
    form = AnswerForm(consultation, answer_form(q, **overrides))
    assert form.is_valid(), form.errors
    return form.answers


@pytest.fixture
def world(town_a, admin_a):
    """Two residents answered online (from their commune), one form was typed in on paper;
    one text published, one withheld, one never reviewed."""
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(title="Réaménagement de la place du Marché")
        village = Neighbourhood.objects.create(name="Le Village")
        plaine = Neighbourhood.objects.create(name="La Plaine")
        people = []
        for (name, email), commune in zip(PEOPLE, (village, None), strict=True):
            person = UserFactory.create(display_name=name, email=email)
            ResidentProfile.objects.update_or_create(
                user=person, defaults={"neighbourhood": commune}
            )
            people.append(person)
        first, _created = answering.submit_answer(
            consultation,
            user=people[0],
            browser_key="",
            answers=_answers(consultation, q, **{q["long_text"].field_name: PUBLISHED_TEXT}),
        )
        second, _created = answering.submit_answer(
            consultation,
            user=people[1],
            browser_key="",
            answers=_answers(
                consultation,
                q,
                **{
                    q["long_text"].field_name: WITHHELD_TEXT,
                    q["short_text"].field_name: FORMULA,
                    q["single"].field_name: "__other__",
                    f"{q['single'].field_name}_other": "En trottinette",
                    q["yes_no"].field_name: "no",
                    q["conditional"].field_name: None,
                },
            ),
        )
        on_paper = paper.add_paper_answer(
            admin_a,
            consultation,
            answers=_answers(consultation, q, **{q["short_text"].field_name: "-5 degrés"}),
            neighbourhood=plaine,
        )
        review = ConsultationTextReview.objects.create
        review(response=first, question=q["long_text"], text=PUBLISHED_TEXT, decision="published")
        review(response=second, question=q["long_text"], text=WITHHELD_TEXT, decision="withheld")
        review(response=second, question=q["short_text"], text=FORMULA, decision="published")
        review(response=second, question=q["single"], text="En trottinette", decision="published")
        return {"consultation": consultation, "q": q, "answers": [first, second, on_paper]}


def _get(admin, world, extension: str):
    response = admin.get(f"{BASE}{world['consultation'].pk}/donnees/reponses.{extension}")
    assert response.status_code == 200
    return response


def _no_personal_data(content: bytes, world) -> None:
    for name, email in PEOPLE:
        for secret in (name, email, email.split("@")[0], name.split()[0]):
            assert secret.encode() not in content
    # Neither the database ids of the answers nor of the accounts.
    ids = [str(answer.pk) for answer in world["answers"]]
    assert all(f'"id": {pk}' not in content.decode(errors="replace") for pk in ids)


def test_the_csv_is_a_table_excel_opens_with_one_row_per_answer(admin, world) -> None:
    response = _get(admin, world, "csv")
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="consultation-reamenagement-de-la-place-du-marche-reponses.csv"'
        in (response["Content-Disposition"])
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    q = world["q"]
    header = rows[0]
    assert header[:4] == ["Numéro", "Jour de la réponse", "Canal", "Commune ou quartier"]
    assert header[4:] == [f"Q{n}. {question.label}" for n, question in enumerate(q.values(), 1)]
    column = {key: 4 + index for index, key in enumerate(q)}
    first, second, on_paper = rows[1:]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]
    assert [row[2] for row in rows[1:]] == ["En ligne", "En ligne", "Sur papier"]
    assert [row[3] for row in rows[1:]] == ["Le Village", "", "La Plaine"]
    assert len(first[1]) == 10 and first[1][4] == "-"  # the day, no time
    assert first[column["single"]] == "À vélo"
    assert first[column["multiple"]] == "Marché | Café"
    assert first[column["ranking"]] == "1. Fontaine | 2. Arbres | 3. Bancs"
    assert first[column["scale"]] == "8"
    assert first[column["yes_no"]] == "Oui"
    assert first[column["number"]] == "3"
    assert first[column["date"]] == "2026-11-20"
    assert first[column["long_text"]] == PUBLISHED_TEXT
    assert first[column["short_text"]] == ""  # "Ombre": never reviewed, not published
    assert first[column["conditional"]] == ""  # "6 et 9 ans": not reviewed either
    assert second[column["single"]] == "Autre : En trottinette"
    assert second[column["yes_no"]] == "Non"
    assert second[column["long_text"]] == ""  # withheld
    assert second[column["short_text"]] == "'" + FORMULA  # published, kept as text
    assert on_paper[column["short_text"]] == ""
    _no_personal_data(content, world)
    assert WITHHELD_TEXT.encode() not in content


def test_the_xlsx_says_what_it_is_and_keeps_formulas_as_text(admin, world) -> None:
    response = _get(admin, world, "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["À propos", "Réponses"]
    about = {row[0]: row[1] for row in book["À propos"].iter_rows(values_only=True)}
    assert about["Consultation"] == "Réaménagement de la place du Marché"
    assert about["Collectivité"] == "Villeneuve-les-Tests"
    assert about["Nombre de réponses"] == "3"
    assert about["Licence"].startswith("Licence Ouverte / Open Licence version 2.0")
    assert about["Ouverte du"] == timezone.localdate(world["consultation"].opens_at).isoformat()
    sheet = book["Réponses"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    q = world["q"]
    column = {key: 4 + index for index, key in enumerate(q)}
    assert [row[0] for row in rows[1:]] == [1, 2, 3]
    assert [row[2] for row in rows[1:]] == ["En ligne", "En ligne", "Sur papier"]
    assert rows[1][1].hour == 0  # a day (a date cell), no time
    assert rows[1][column["number"]] == 3 and rows[1][column["scale"]] == 8
    formula = sheet.cell(row=3, column=column["short_text"] + 1)
    assert (formula.value, formula.data_type) == (FORMULA, "s")
    assert rows[1][column["long_text"]] == PUBLISHED_TEXT
    assert rows[2][column["long_text"]] is None
    _no_personal_data(_unzipped(response.content), world)


def _unzipped(content: bytes) -> bytes:
    """An XLSX is a zip: its texts are read inside."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def test_the_json_has_its_licence_and_the_answers_by_question(admin, world) -> None:
    response = _get(admin, world, "json")
    document = json.loads(response.content)
    assert document["licence"] == {
        "name": "Licence Ouverte / Open Licence version 2.0",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    }
    assert (document["consultation"], document["town"], document["answer_count"]) == (
        "Réaménagement de la place du Marché",
        "Villeneuve-les-Tests",
        3,
    )
    keys = {question["label"]: question["key"] for question in document["questions"]}
    q = world["q"]
    first, second, on_paper = document["answers"]
    assert [a["number"] for a in document["answers"]] == [1, 2, 3]
    assert [a["channel"] for a in document["answers"]] == ["online", "online", "paper"]
    assert first["answers"][keys[q["ranking"].label]] == ["Fontaine", "Arbres", "Bancs"]
    assert first["answers"][keys[q["multiple"].label]] == ["Marché", "Café"]
    assert first["answers"][keys[q["number"].label]] == 3
    assert first["answers"][keys[q["long_text"].label]] == PUBLISHED_TEXT
    assert keys[q["short_text"].label] not in first["answers"]
    assert keys[q["long_text"].label] not in second["answers"]
    assert on_paper["commune"] == "La Plaine"
    assert set(first) == {"number", "answered_on", "channel", "commune", "answers"}
    _no_personal_data(response.content, world)


def test_a_text_changed_after_its_review_leaves_the_files(admin, world, town_a) -> None:
    first = world["answers"][0]
    key = str(world["q"]["long_text"].pk)
    with schema_context(town_a.schema_name):
        ConsultationResponse.objects.filter(pk=first.pk).update(
            answers={**first.answers, key: "Texte changé depuis, à relire"}
        )
    content = _get(admin, world, "csv").content
    assert PUBLISHED_TEXT.encode() not in content
    assert "Texte changé depuis".encode() not in content


def test_the_export_takes_the_same_queries_for_three_or_thirty_answers(
    admin, world, town_a, admin_a
) -> None:
    url = f"{BASE}{world['consultation'].pk}/donnees/reponses.csv"
    admin.get(url)
    with CaptureQueriesContext(connection) as few:
        admin.get(url)
    with schema_context(town_a.schema_name):
        answers = world["answers"][2].answers
        for _ in range(27):
            paper.add_paper_answer(admin_a, world["consultation"], answers=answers,
                                   neighbourhood=None)  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        rows = admin.get(url).content.decode("utf-8-sig").splitlines()
    assert len(rows) == 31
    assert len(many) == len(few)


def test_the_open_data_page_offers_the_three_files_and_says_the_licence(admin, world) -> None:
    page = body(admin.get(f"{BASE}{world['consultation'].pk}/donnees/"))
    for extension in ("csv", "xlsx", "json"):
        assert f"/donnees/reponses.{extension}" in page
    assert "Licence Ouverte" in page
    assert "dont 1 sur papier" in page


def test_an_unknown_format_is_not_found(admin, world) -> None:
    assert admin.get(f"{BASE}{world['consultation'].pk}/donnees/reponses.pdf").status_code == 404


@pytest.mark.parametrize("who", ["guest", "resident_a", "moderator_a", "admin_b_on_a", "admin_b"])
def test_nobody_but_town_a_staff_downloads_its_answers(
    client_for, town_a, town_b, world, who, request
) -> None:
    if who == "guest":
        client = client_for(town_a)
    elif who == "admin_b":
        client = client_for(town_b, request.getfixturevalue("admin_b"))
    elif who == "admin_b_on_a":
        on_b = client_for(town_b, request.getfixturevalue("admin_b"))
        client = client_for(town_a)
        for name, morsel in on_b.cookies.items():
            client.cookies[name] = morsel.value
    else:
        client = client_for(town_a, request.getfixturevalue(who))
    base = f"{BASE}{world['consultation'].pk}/donnees/"
    for path in (base, base + "reponses.csv", base + "reponses.xlsx", base + "reponses.json"):
        probe(client, path, leaked=[PUBLISHED_TEXT, "Réaménagement de la place du Marché"])


def _close_and_publish(town, consultation, *, published: bool) -> None:
    from django.utils import timezone

    with schema_context(town.schema_name):
        type(consultation).objects.filter(pk=consultation.pk).update(
            opens_at=timezone.now() - datetime.timedelta(days=20),
            closes_at=timezone.now() - datetime.timedelta(days=1),
            results_published_at=timezone.now() if published else None,
        )


def test_once_the_results_are_published_residents_get_the_same_files(
    client_for, town_a, resident_a, world
) -> None:
    consultation = world["consultation"]
    _close_and_publish(town_a, consultation, published=True)
    resident = client_for(town_a, resident_a)
    page = body(resident.get(f"/consultations/{consultation.key}/"))
    assert f"/consultations/{consultation.key}/donnees/reponses.csv" in page
    response = resident.get(f"/consultations/{consultation.key}/donnees/reponses.csv")
    assert response.status_code == 200
    assert PUBLISHED_TEXT.encode() in response.content
    _no_personal_data(response.content, world)
    document = json.loads(
        resident.get(f"/consultations/{consultation.key}/donnees/reponses.json").content
    )
    assert document["answer_count"] == 3


@pytest.mark.parametrize("who", ["resident_a", "resident_b", "guest"])
def test_before_the_results_are_published_nobody_but_staff_gets_them(
    client_for, town_a, town_b, world, who, request
) -> None:
    consultation = world["consultation"]
    _close_and_publish(town_a, consultation, published=False)
    client = {
        "resident_a": lambda: client_for(town_a, request.getfixturevalue("resident_a")),
        "resident_b": lambda: client_for(town_b, request.getfixturevalue("resident_b")),
        "guest": lambda: client_for(town_a),
    }[who]()
    for extension in ("csv", "xlsx", "json"):
        path = f"/consultations/{consultation.key}/donnees/reponses.{extension}"
        probe(client, path, leaked=[PUBLISHED_TEXT])


def test_published_results_of_town_a_are_not_served_on_town_b(
    client_for, town_a, town_b, resident_b, world
) -> None:
    consultation = world["consultation"]
    _close_and_publish(town_a, consultation, published=True)
    probe(
        client_for(town_b, resident_b),
        f"/consultations/{consultation.key}/donnees/reponses.csv",
        leaked=[PUBLISHED_TEXT],
    )
