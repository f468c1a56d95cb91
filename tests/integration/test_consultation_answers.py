"""Residents answer a consultation: once, changeable until it closes, every bad input refused
with a French message and nothing typed lost, a draft kept, a copy by email."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from participation.consultations.models import (
    Consultation,
    ConsultationDraft,
    ConsultationResponse,
)
from tests.consultation_support import answer_form, closed_fields, every_kind, upcoming_fields
from tests.helpers import body
from townsite.models import ResidentProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(town_a):
    with schema_context(town_a.schema_name):
        return every_kind()


@pytest.fixture
def resident(client_for, town_a, resident_a):
    return client_for(town_a, resident_a)


def _url(consultation: Consultation, tail: str = "") -> str:
    return f"/consultations/{consultation.key}/{tail}"


def _responses(town, consultation):
    with schema_context(town.schema_name):
        return list(ConsultationResponse.objects.filter(consultation=consultation))


def test_a_resident_answers_and_sees_the_confirmation(resident, town_a, resident_a, questionnaire):
    consultation, q = questionnaire
    response = resident.post(_url(consultation), answer_form(q))
    assert response.status_code == 302
    assert response["Location"] == _url(consultation, "merci/")
    [saved] = _responses(town_a, consultation)
    assert saved.respondent_id == resident_a.pk
    assert saved.answers == {
        str(q["single"].pk): "À vélo",
        str(q["multiple"].pk): ["Marché", "Café"],
        str(q["ranking"].pk): ["Fontaine", "Arbres", "Bancs"],
        str(q["scale"].pk): "8",
        str(q["yes_no"].pk): "yes",
        str(q["conditional"].pk): "6 et 9 ans",
        str(q["number"].pk): "3",
        str(q["date"].pk): "2026-11-20",
        str(q["short_text"].pk): "Ombre",
        str(q["long_text"].pk): "Plus d'arbres, merci.",
    }
    page = body(resident.get(_url(consultation, "merci/")))
    assert "Merci pour votre réponse" in page
    assert "1. Fontaine, 2. Arbres, 3. Bancs" in page


def test_answering_again_changes_the_one_answer(resident, town_a, questionnaire):
    consultation, q = questionnaire
    assert resident.post(_url(consultation), answer_form(q)).status_code == 302
    changed = resident.post(
        _url(consultation), answer_form(q, **{q["single"].field_name: "À pied"}), follow=True
    )
    assert "Votre réponse est modifiée." in body(changed)
    [saved] = _responses(town_a, consultation)
    assert saved.answers[str(q["single"].pk)] == "À pied"
    page = body(resident.get(_url(consultation)))
    assert "Modifier votre réponse" in page
    assert 'value="À pied" class="" id="id_q' in page or 'value="À pied"' in page


def test_the_form_shows_the_earlier_answer_to_change_it(resident, questionnaire):
    consultation, q = questionnaire
    resident.post(_url(consultation), answer_form(q, **{q["short_text"].field_name: "Bancs"}))
    page = body(resident.get(_url(consultation)))
    assert f'name="{q["short_text"].field_name}" value="Bancs"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (closed_fields, "Cette consultation est close : les réponses ne sont plus acceptées."),
        (upcoming_fields, "Cette consultation n’est pas encore ouverte"),
    ],
)
def test_no_answer_outside_the_dates_and_the_text_is_kept(
    resident, town_a, fields, message
) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(**fields())
    response = resident.post(
        _url(consultation), answer_form(q, **{q["long_text"].field_name: "Mon long texte"})
    )
    assert response.status_code == 400
    page = body(response)
    assert message in page
    assert "Mon long texte" in page
    assert _responses(town_a, consultation) == []


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("required", "Cette question demande une réponse."),
        ("ranking", "Deux options ont le même rang"),
        ("number_high", "Donnez un nombre entre 0 et 14."),
        ("number_text", "Saisissez un nombre."),
        ("too_many", "Choisissez au plus 2 réponses."),
        ("other_empty", "Précisez quelle autre réponse"),
        ("not_an_option", "Sélectionnez un choix valide."),
        ("ranking_partial", "Donnez à chaque option son propre rang, de 1 à 3."),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_nothing_typed_is_lost(
    resident, town_a, questionnaire, override, message
) -> None:
    consultation, q = questionnaire
    ranking = q["ranking"].field_name
    table: dict[str, dict[str, Any]] = {
        "required": {q["single"].field_name: None},
        "ranking": {f"{ranking}_r0": "1", f"{ranking}_r2": "1"},
        "number_high": {q["number"].field_name: "15"},
        "number_text": {q["number"].field_name: "beaucoup"},
        "too_many": {q["multiple"].field_name: ["Marché", "Café", "Jeux"]},
        "other_empty": {q["single"].field_name: "__other__"},
        "not_an_option": {q["single"].field_name: "En fusée"},
        "ranking_partial": {f"{ranking}_r1": ""},
    }
    overrides = table[override]
    data = answer_form(q, **{q["long_text"].field_name: "Texte à garder", **overrides})
    response = resident.post(_url(consultation), data)
    assert response.status_code == 400
    page = body(response)
    assert message in page
    assert "Texte à garder" in page
    assert "Rien de ce que vous avez écrit n’est perdu" in page
    assert _responses(town_a, consultation) == []


def test_too_few_choices_are_refused(resident, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind()
        q["multiple"].min_choices = 2
        q["multiple"].save()
    response = resident.post(
        _url(consultation), answer_form(q, **{q["multiple"].field_name: ["Café"]})
    )
    assert response.status_code == 400
    assert "Choisissez au moins 2 réponses." in body(response)


def test_a_hidden_question_is_neither_required_nor_kept(resident, town_a, questionnaire):
    consultation, q = questionnaire
    data = answer_form(q, **{q["yes_no"].field_name: "no", q["conditional"].field_name: "typed"})
    assert resident.post(_url(consultation), data).status_code == 302
    [saved] = _responses(town_a, consultation)
    assert str(q["conditional"].pk) not in saved.answers
    assert saved.answers[str(q["yes_no"].pk)] == "no"


def test_a_shown_conditional_question_is_required(resident, town_a, questionnaire):
    consultation, q = questionnaire
    data = answer_form(q, **{q["conditional"].field_name: None})
    response = resident.post(_url(consultation), data)
    assert response.status_code == 400
    assert "Cette question demande une réponse." in body(response)


def test_script_and_html_are_kept_as_text_and_shown_escaped(resident, town_a, questionnaire):
    consultation, q = questionnaire
    script = "<script>alert('x')</script><b>gras</b>"
    assert (
        resident.post(
            _url(consultation), answer_form(q, **{q["short_text"].field_name: script})
        ).status_code
        == 302
    )
    [saved] = _responses(town_a, consultation)
    assert saved.answers[str(q["short_text"].pk)] == script
    page = body(resident.get(_url(consultation, "merci/")))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;b&gt;gras&lt;/b&gt;" in page


def test_a_draft_survives_a_lost_session(client_for, town_a, resident_a, questionnaire):
    consultation, q = questionnaire
    first = client_for(town_a, resident_a)
    data = answer_form(q, action="draft", **{q["long_text"].field_name: "À moitié écrit"})
    saved = first.post(_url(consultation), data, follow=True)
    assert "Votre réponse en cours est enregistrée" in body(saved)
    assert _responses(town_a, consultation) == []
    again = client_for(town_a, resident_a)  # another session: logged in afresh
    page = body(again.get(_url(consultation)))
    assert "À moitié écrit" in page
    assert again.post(_url(consultation), answer_form(q)).status_code == 302
    with schema_context(town_a.schema_name):
        assert not ConsultationDraft.objects.filter(consultation=consultation).exists()


def test_a_refused_answer_is_kept_as_a_draft(client_for, town_a, resident_a, questionnaire):
    consultation, q = questionnaire
    data = answer_form(q, **{q["number"].field_name: "99", q["long_text"].field_name: "Gardé"})
    assert client_for(town_a, resident_a).post(_url(consultation), data).status_code == 400
    page = body(client_for(town_a, resident_a).get(_url(consultation)))
    assert "Gardé" in page and 'value="99"' in page


def test_a_copy_by_email_leaves_after_the_commit(
    resident, town_a, resident_a, questionnaire, django_capture_on_commit_callbacks
) -> None:
    consultation, q = questionnaire
    resident.post(_url(consultation), answer_form(q))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = resident.post(_url(consultation, "copie/"), follow=True)
    assert "Une copie de votre réponse part vers votre adresse e-mail." in body(response)
    assert len(callbacks) == 1
    [message] = mail.outbox
    assert message.to == [resident_a.email]
    assert consultation.title in message.subject
    assert "Comment venez-vous sur la place ?\n  À vélo" in message.body


def test_only_verified_residents_answer_a_verified_consultation(resident, town_a, resident_a):
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(audience=Consultation.Audience.VERIFIED)
    response = resident.post(_url(consultation), answer_form(q))
    assert response.status_code == 400
    assert "Seuls les habitants vérifiés par la commune peuvent répondre." in body(response)
    with schema_context(town_a.schema_name):
        ResidentProfile.objects.update_or_create(
            user=resident_a, defaults={"verified_at": consultation.opens_at}
        )
    assert resident.post(_url(consultation), answer_form(q)).status_code == 302


def test_only_the_chosen_member_communes_answer(client_for, town_a, resident_a) -> None:
    from townsite.models import Neighbourhood

    with schema_context(town_a.schema_name):
        ici = Neighbourhood.objects.create(name="Ici-sur-Test", commune_insee="99101")
        ailleurs = Neighbourhood.objects.create(name="Ailleurs", commune_insee="99102")
        consultation, q = every_kind()
        consultation.communes.set([ici])
        outsider = UserFactory.create()
        ResidentProfile.objects.update_or_create(
            user=outsider, defaults={"neighbourhood": ailleurs}
        )
        ResidentProfile.objects.update_or_create(user=resident_a, defaults={"neighbourhood": ici})
    refused = client_for(town_a, outsider).post(_url(consultation), answer_form(q))
    assert refused.status_code == 400
    assert "Cette consultation s’adresse aux habitants de : Ici-sur-Test." in body(refused)
    assert (
        client_for(town_a, resident_a).post(_url(consultation), answer_form(q)).status_code == 302
    )
    [saved] = _responses(town_a, consultation)
    assert saved.neighbourhood_id == ici.pk


def test_my_answers_and_drafts_are_in_my_data_export(resident, town_a, questionnaire) -> None:
    import json

    consultation, q = questionnaire
    resident.post(_url(consultation), answer_form(q))
    with schema_context(town_a.schema_name):
        other, q2 = every_kind(title="Deuxième consultation")
    resident.post(_url(other), answer_form(q2, action="draft"))
    data = json.loads(resident.get("/mon-compte/donnees/").content)
    [answered] = data["consultation_answers"]
    assert answered["consultation"] == consultation.title
    assert {"question": "Comment venez-vous sur la place ?", "answer": "À vélo"} in answered[
        "answers"
    ]
    [draft] = data["consultation_drafts"]
    assert draft["consultation"] == "Deuxième consultation"
    assert draft["typed"][q2["short_text"].field_name] == "Ombre"


def test_a_deleted_account_leaves_its_answer_unlinked_and_its_drafts_gone(
    town_a, resident_a, questionnaire, django_capture_on_commit_callbacks
) -> None:
    from accounts.models import User
    from participation.consultations import answering
    from townsite.residents.services import delete_account

    consultation, q = questionnaire
    with schema_context(town_a.schema_name):
        answering.submit_answer(
            consultation, user=resident_a, browser_key="", answers={str(q["single"].pk): "À pied"}
        )
        other, _q2 = every_kind()
        answering.save_draft(other, user=resident_a, browser_key="", data={"x": "y"})
        with django_capture_on_commit_callbacks(execute=True):
            delete_account(User.objects.get(pk=resident_a.pk))
        [kept] = ConsultationResponse.objects.all()
        assert kept.respondent_id is None and kept.answers == {str(q["single"].pk): "À pied"}
        assert not ConsultationDraft.objects.exists()


def test_without_javascript_a_conditional_question_says_when_to_answer_it(resident, questionnaire):
    consultation, _q = questionnaire
    page = body(resident.get(_url(consultation)))
    assert "À remplir seulement si vous avez répondu « Oui » à « Avez-vous des enfants ? »." in page
