"""Consultations through the API: the list, one with its questionnaire and files, answering it
as the page judges an answer, reading one's answer; refusals in French, nothing saved."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from participation.consultations import services
from participation.consultations.factories import (
    ConsultationFactory,
    QuestionFactory,
    ResponseFactory,
    SectionFactory,
)
from participation.consultations.models import Consultation, ConsultationResponse
from tenants.models import Collectivite
from tests.api_support import API, call, make_key
from tests.consultation_support import closed_fields, every_kind, switch_module, upcoming_fields
from tests.mutual_aid_support import suspend, verified
from tests.participation_api_support import answers_json, consultation_url

pytestmark = pytest.mark.django_db

LIST = API + "consultations/"


@pytest.fixture
def questionnaire(town_a):
    with schema_context(town_a.schema_name):
        return every_kind()


@pytest.fixture
def resident(client_for, town_a, resident_a):
    return client_for(town_a, resident_a)


def _responses(town: Collectivite, consultation: Consultation) -> list[ConsultationResponse]:
    with schema_context(town.schema_name):
        return list(ConsultationResponse.objects.filter(consultation=consultation))


def _answer(client: Any, consultation: Consultation, data: dict[str, Any], **kw: Any) -> Any:
    return call(client, "post", consultation_url(consultation.key, "answer/"), data, **kw)


# --- Reading ------------------------------------------------------------------------------


def test_the_list_gives_published_consultations_with_their_phase(
    resident, town_a, resident_a
) -> None:
    with schema_context(town_a.schema_name):
        now = timezone.now()
        opened = ConsultationFactory.create(title="Ouverte", opens_at=now - datetime.timedelta(1))
        upcoming = ConsultationFactory.create(title="À venir", **upcoming_fields())
        closed = ConsultationFactory.create(title="Fermée", **closed_fields())
        ConsultationFactory.create(title="Brouillon", published_at=None)
        ResponseFactory.create(consultation=opened, respondent=resident_a)
    response = call(resident, "get", LIST)
    assert response.status_code == 200
    listed = [(c["key"], c["title"], c["phase"], c["answered"]) for c in response.json()["results"]]
    assert listed == [
        (upcoming.key, "À venir", "upcoming", False),
        (opened.key, "Ouverte", "open", True),
        (closed.key, "Fermée", "closed", False),
    ]
    assert response.json()["results"][0]["page"].endswith(f"/consultations/{upcoming.key}/")


def test_a_guest_sees_none_listed(client_for, town_a, questionnaire) -> None:
    response = call(client_for(town_a), "get", LIST)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_consultation_reads_with_its_questionnaire(resident, town_a, questionnaire) -> None:
    consultation, q = questionnaire
    response = call(resident, "get", consultation_url(consultation.key))
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["title"], data["phase"], data["context_html"]) == (
        consultation.title,
        "open",
        "<p>La commune veut votre avis.</p>",
    )
    assert (data["may_answer"], data["refusal"], data["answered"]) == (True, "", False)
    assert [s["title"] for s in data["sections"]] == ["Vos usages", "Vos idées"]
    questions = {item["id"]: item for s in data["sections"] for item in s["questions"]}
    assert [item["kind"] for item in data["sections"][0]["questions"]] == [
        "single",
        "multiple",
        "ranking",
        "scale",
    ]
    single = questions[q["single"].pk]
    assert (single["choices"], single["allow_other"], single["required"]) == (
        ["À pied", "À vélo", "En voiture"],
        True,
        True,
    )
    multiple = questions[q["multiple"].pk]
    assert (multiple["min_choices"], multiple["max_choices"]) == (1, 2)
    assert questions[q["scale"].pk]["scale"] == {
        "min": 0,
        "max": 10,
        "min_label": "Pas du tout",
        "max_label": "Tout à fait",
    }
    number = questions[q["number"].pk]
    assert (number["number_min"], number["number_max"]) == ("0.00", "14.00")
    assert questions[q["conditional"].pk]["shown_if"] == {
        "question": q["yes_no"].pk,
        "value": "yes",
    }
    assert questions[q["long_text"].pk]["shown_if"] is None


def test_a_draft_is_not_found_by_a_resident_but_previewed_by_staff(
    resident, client_for, town_a, admin_a
) -> None:
    with schema_context(town_a.schema_name):
        draft = ConsultationFactory.create(published_at=None)
    assert call(resident, "get", consultation_url(draft.key)).status_code == 404
    assert call(client_for(town_a, admin_a), "get", consultation_url(draft.key)).status_code == 200


def test_a_guest_reads_a_consultation_open_to_the_link_only(client_for, town_a) -> None:
    with schema_context(town_a.schema_name):
        link = ConsultationFactory.create(audience=Consultation.Audience.LINK)
        residents = ConsultationFactory.create(audience=Consultation.Audience.RESIDENTS)
    guest = client_for(town_a)
    read = call(guest, "get", consultation_url(link.key))
    assert read.status_code == 200
    assert (read.json()["may_answer"], read.json()["refusal"]) == (
        False,
        "Connectez-vous, ou envoyez votre clé, pour répondre par l’API.",
    )
    assert call(guest, "get", consultation_url(residents.key)).status_code == 404


def test_a_file_is_listed_and_served_through_the_api_with_a_key(
    client_for, town_a, admin_a, resident_a, media_root
) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create()
        upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 le plan", "application/pdf")
        services.add_attachment(admin_a, consultation, upload, name="Plan de la place")
    key = make_key(town_a, resident_a)
    data = call(client_for(town_a), "get", consultation_url(consultation.key), key=key).json()
    [attachment] = data["attachments"]
    assert (attachment["name"], attachment["content_type"]) == (
        "Plan de la place",
        "application/pdf",
    )
    path = attachment["url"].removeprefix("http://" + town_a.primary_host)
    assert path.startswith(consultation_url(consultation.key, "attachments/"))
    served = client_for(town_a).get(
        path, HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT="application/pdf"
    )
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == b"%PDF-1.4 le plan"
    assert client_for(town_a).get(path).status_code == 404  # a guest: not for the link


def test_the_module_switched_off_answers_404(resident, town_a, questionnaire) -> None:
    consultation, q = questionnaire
    assert call(resident, "get", LIST).status_code == 200
    with schema_context(town_a.schema_name):
        switch_module(False)
    assert call(resident, "get", LIST).status_code == 404
    assert call(resident, "get", consultation_url(consultation.key)).status_code == 404
    assert _answer(resident, consultation, answers_json(q)).status_code == 404
    assert _responses(town_a, consultation) == []


def test_the_list_costs_the_same_at_5_and_60_consultations(resident, town_a, resident_a) -> None:
    def add(count: int) -> None:
        with schema_context(town_a.schema_name):
            for _ in range(count):
                made = ConsultationFactory.create()
                ResponseFactory.create(consultation=made, respondent=resident_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = call(resident, "get", LIST, {"page_size": "100"})
        assert response.status_code == 200
        assert all(c["answered"] for c in response.json()["results"])
        return len(captured)

    add(5)
    queries()  # the session and the town's look are read once, then cached
    small = queries()
    add(55)
    assert queries() == small


def test_a_questionnaire_costs_the_same_at_10_and_60_questions(resident, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation, _q = every_kind()

    def add(count: int) -> None:
        with schema_context(town_a.schema_name):
            section = SectionFactory.create(consultation=consultation)
            for _ in range(count):
                QuestionFactory.create(section=section, choices=["Oui", "Non"])

    def queries(expected: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = call(resident, "get", consultation_url(consultation.key))
        sections = response.json()["sections"]
        assert sum(len(section["questions"]) for section in sections) == expected
        return len(captured)

    queries(10)
    small = queries(10)
    add(50)
    assert queries(60) == small


# --- Answering ----------------------------------------------------------------------------


def test_a_resident_answers_with_a_key_then_reads_their_answer(
    client_for, town_a, resident_a, questionnaire
) -> None:
    consultation, q = questionnaire
    key = make_key(town_a, resident_a)
    sent = _answer(client_for(town_a), consultation, answers_json(q), key=key)
    assert sent.status_code == 201, sent.content
    [saved] = _responses(town_a, consultation)
    assert saved.respondent_id == resident_a.pk
    # Stored as the page stores it: the ranking as the options in order.
    assert saved.answers[str(q["ranking"].pk)] == ["Fontaine", "Arbres", "Bancs"]
    assert saved.answers[str(q["scale"].pk)] == "8"
    read = call(client_for(town_a), "get", consultation_url(consultation.key, "answer/"), key=key)
    assert read.status_code == 200
    assert read.json()["answers"] == {
        **answers_json(q, scale="8", number="3")["answers"],
    }
    assert (read.json()["consultation"], read.json()["may_change"]) == (consultation.key, True)


def test_answering_again_while_open_replaces_the_one_answer(resident, town_a, questionnaire):
    consultation, q = questionnaire
    assert _answer(resident, consultation, answers_json(q)).status_code == 201
    again = _answer(resident, consultation, answers_json(q, single={"other": "En trottinette"}))
    assert again.status_code == 200
    [saved] = _responses(town_a, consultation)
    assert saved.answers[str(q["single"].pk)] == {"other": "En trottinette"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (closed_fields, "Cette consultation est close : les réponses ne sont plus acceptées."),
        (
            upcoming_fields,
            "Cette consultation n’est pas encore ouverte : vous pourrez répondre dès son "
            "ouverture.",
        ),
    ],
)
def test_no_answer_before_opening_or_after_closing(resident, town_a, fields, message) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(**fields())
    response = _answer(resident, consultation, answers_json(q))
    assert response.status_code == 403
    assert response.json() == {"detail": message}
    assert _responses(town_a, consultation) == []


def test_an_answer_is_not_changed_after_closing(resident, town_a, resident_a, questionnaire):
    consultation, q = questionnaire
    assert _answer(resident, consultation, answers_json(q)).status_code == 201
    with schema_context(town_a.schema_name):
        Consultation.objects.filter(pk=consultation.pk).update(**closed_fields())
    response = _answer(resident, consultation, answers_json(q, single="À pied"))
    assert response.status_code == 403
    [saved] = _responses(town_a, consultation)
    assert saved.answers[str(q["single"].pk)] == "À vélo"
    mine = call(resident, "get", consultation_url(consultation.key, "answer/")).json()
    assert mine["may_change"] is False


@pytest.mark.parametrize(
    ("overrides", "question", "message"),
    [
        ({"single": None}, "single", "Cette question demande une réponse."),
        ({"single": ""}, "single", "Cette question demande une réponse."),
        (
            {"ranking": {"Arbres": 1, "Bancs": 1, "Fontaine": 2}},
            "ranking",
            "Deux options ont le même rang : donnez à chaque option un rang différent.",
        ),
        (
            {"ranking": {"Arbres": 1, "Bancs": 2}},
            "ranking",
            "Donnez à chaque option son propre rang, de 1 à 3.",
        ),
        ({"number": 15}, "number", "Donnez un nombre entre 0 et 14."),
        ({"number": -1}, "number", "Donnez un nombre entre 0 et 14."),
        ({"number": "beaucoup"}, "number", "Saisissez un nombre."),
        ({"multiple": ["Marché", "Café", "Jeux"]}, "multiple", "Choisissez au plus 2 réponses."),
        ({"single": {"other": " "}}, "single", "Précisez quelle autre réponse vous voulez donner."),
        ({"conditional": None}, "conditional", "Cette question demande une réponse."),
    ],
)
def test_bad_answers_are_refused_under_the_question_and_nothing_is_saved(
    resident, town_a, questionnaire, overrides, question, message
) -> None:
    consultation, q = questionnaire
    response = _answer(resident, consultation, answers_json(q, **overrides))
    assert response.status_code == 400
    assert response.json() == {"answers": {str(q[question].pk): [message]}}
    assert _responses(town_a, consultation) == []


def test_a_choice_not_offered_is_refused(resident, town_a, questionnaire) -> None:
    consultation, q = questionnaire
    response = _answer(resident, consultation, answers_json(q, single="En fusée"))
    assert response.status_code == 400
    [message] = response.json()["answers"][str(q["single"].pk)]
    assert message.startswith("Sélectionnez un choix valide.")
    assert _responses(town_a, consultation) == []


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"999999": "Bonjour"}, "Cette consultation n’a pas de question avec cet identifiant."),
        ({"ranking": ["Arbres", "Bancs", "Fontaine"]}, "Cette réponse ne convient pas"),
        ({"ranking": {"Arbres": 1, "Piscine": 2, "Bancs": 3}}, "Cette réponse ne convient pas"),
        ({"single": {"autre": "x"}}, "Cette réponse ne convient pas"),
        ({"short_text": {"texte": "x"}}, "Cette réponse ne convient pas"),
        ({"multiple": [["Marché"]]}, "Cette réponse ne convient pas"),
    ],
)
def test_answers_of_the_wrong_shape_are_refused(
    resident, town_a, questionnaire, answers, message
) -> None:
    consultation, q = questionnaire
    data = answers_json(q)
    for name, value in answers.items():
        data["answers"][str(q[name].pk) if name in q else name] = value
    response = _answer(resident, consultation, data)
    assert response.status_code == 400
    [[given]] = response.json()["answers"].values()
    assert given.startswith(message)
    assert _responses(town_a, consultation) == []


def test_a_hidden_question_is_neither_required_nor_kept(resident, town_a, questionnaire):
    consultation, q = questionnaire
    sent = _answer(resident, consultation, answers_json(q, yes_no="no", conditional="typed"))
    assert sent.status_code == 201
    [saved] = _responses(town_a, consultation)
    assert str(q["conditional"].pk) not in saved.answers


def test_too_few_choices_are_refused(resident, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind()
        q["multiple"].min_choices = 2
        q["multiple"].save()
    response = _answer(resident, consultation, answers_json(q, multiple=["Café"]))
    assert response.json() == {
        "answers": {str(q["multiple"].pk): ["Choisissez au moins 2 réponses."]}
    }


def test_script_and_html_are_stored_as_text(resident, town_a, questionnaire) -> None:
    consultation, q = questionnaire
    script = "<script>alert('x')</script><b>gras</b>"
    sent = _answer(resident, consultation, answers_json(q, short_text=script, long_text=script))
    assert sent.status_code == 201
    assert sent["Content-Type"] == "application/json"
    assert sent.json()["answers"][str(q["short_text"].pk)] == script
    [saved] = _responses(town_a, consultation)
    assert saved.answers[str(q["long_text"].pk)] == script


def test_a_guest_cannot_answer_even_a_consultation_open_to_the_link(client_for, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(audience=Consultation.Audience.LINK)
    response = _answer(client_for(town_a), consultation, answers_json(q))
    assert response.status_code == 401
    assert _responses(town_a, consultation) == []


def test_a_resident_answers_a_consultation_open_to_the_link(resident, town_a, resident_a):
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(audience=Consultation.Audience.LINK)
    assert _answer(resident, consultation, answers_json(q)).status_code == 201
    [saved] = _responses(town_a, consultation)
    assert (saved.respondent_id, saved.browser_key) == (resident_a.pk, "")


def test_only_verified_residents_answer_a_verified_consultation(resident, town_a, resident_a):
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(audience=Consultation.Audience.VERIFIED)
    refused = _answer(resident, consultation, answers_json(q))
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Seuls les habitants vérifiés par la commune peuvent répondre. "
        "Demandez à la mairie de vous vérifier."
    }
    with schema_context(town_a.schema_name):
        verified(None, resident_a)
    assert _answer(resident, consultation, answers_json(q)).status_code == 201


def test_a_suspended_resident_cannot_answer(resident, town_a, resident_a, questionnaire) -> None:
    consultation, q = questionnaire
    with schema_context(town_a.schema_name):
        suspend(None, resident_a)
    response = _answer(resident, consultation, answers_json(q))
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Votre compte est suspendu par les modérateurs")
    assert _responses(town_a, consultation) == []


def test_no_answer_on_a_read_only_site(client_for, town_a, resident_a, questionnaire) -> None:
    consultation, q = questionnaire
    key = make_key(town_a, resident_a)
    town_a.site_access = Collectivite.Access.READ_ONLY
    town_a.save(update_fields=["site_access"])
    # The consultation is still read, only not answered.
    read = call(client_for(town_a), "get", consultation_url(consultation.key), key=key)
    assert read.status_code == 200
    response = _answer(client_for(town_a), consultation, answers_json(q), key=key)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Ce site est en lecture seule pour le moment : personne ne peut publier."
    }
    assert _responses(town_a, consultation) == []


def test_my_answer_is_not_found_before_i_answer(resident, questionnaire) -> None:
    consultation, _q = questionnaire
    response = call(resident, "get", consultation_url(consultation.key, "answer/"))
    assert response.status_code == 404
    assert response.json() == {"detail": "Vous n’avez pas répondu à cette consultation."}


def test_answering_through_the_api_clears_the_pages_draft(
    resident, town_a, resident_a, questionnaire
) -> None:
    consultation, q = questionnaire
    with schema_context(town_a.schema_name):
        consultation.drafts.create(respondent=resident_a, data={"x": "y"})
        other = UserFactory.create()
        consultation.drafts.create(respondent=other, data={"x": "z"})
    assert _answer(resident, consultation, answers_json(q)).status_code == 201
    with schema_context(town_a.schema_name):
        assert list(consultation.drafts.values_list("respondent_id", flat=True)) == [other.pk]
