"""Staff type in answers collected on paper at the town hall: the residents' form and its checks,
the commune, "save and type in another", corrections and a removal asked twice, while open
and for a while after the closing; each in the log of actions, and only town A's admins."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from participation.consultations import answering, paper, results_cache
from participation.consultations.models import ConsultationResponse
from tenants.models import AuditEntry
from tests.consultation_support import answer_form, closed_fields, every_kind, upcoming_fields
from tests.helpers import body, probe
from townsite.models import Neighbourhood

pytestmark = pytest.mark.django_db
BASE = "/administration/consultations/"
PAPER = ConsultationResponse.Channel.PAPER
TYPED = "Recopié du formulaire de Mme R."


def _actions(town) -> list[str]:
    return list(
        AuditEntry.objects.filter(collectivite=town, action__startswith="consultation.paper")
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.fixture
def open_one(town_a):
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(title="Consultation sur la place")
        commune = Neighbourhood.objects.create(name="Les Hameaux")
    return consultation, q, commune


def _form(q, commune, **overrides):
    data = answer_form(q, **{q["long_text"].field_name: TYPED, **overrides})
    data["commune"] = str(commune.pk)
    return data


def _paper_answers(town):
    with schema_context(town.schema_name):
        return list(ConsultationResponse.objects.filter(channel=PAPER).order_by("pk"))


def test_staff_type_in_a_paper_answer_marked_as_such(admin, town_a, admin_a, open_one) -> None:
    consultation, q, commune = open_one
    response = admin.post(f"{BASE}{consultation.pk}/papier/nouvelle/", _form(q, commune))
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{consultation.pk}/papier/"
    [saved] = _paper_answers(town_a)
    assert (saved.respondent_id, saved.entered_by_id, saved.browser_key) == (None, admin_a.pk, "")
    assert saved.neighbourhood_id == commune.pk
    assert saved.answers[str(q["long_text"].pk)] == TYPED
    assert saved.answers[str(q["ranking"].pk)] == ["Fontaine", "Arbres", "Bancs"]
    assert _actions(town_a) == ["consultation.paper_answer_add"]
    page = body(admin.get(f"{BASE}{consultation.pk}/papier/"))
    assert "Formulaire papier 1" in page and "Sur papier" in page and "Les Hameaux" in page


def test_save_and_type_in_another_comes_back_to_an_empty_form(admin, town_a, open_one) -> None:
    consultation, q, commune = open_one
    url = f"{BASE}{consultation.pk}/papier/nouvelle/"
    response = admin.post(url, {**_form(q, commune), "action": "another"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    page = body(response)
    assert "Vous pouvez saisir la suivante" in page
    assert TYPED not in page  # a fresh form for the next paper
    admin.post(url, {**_form(q, commune), "action": "another"})
    assert len(_paper_answers(town_a)) == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("single", "", "Cette question demande une réponse."),
        ("number", "15", "Donnez un nombre entre 0 et 14."),
        ("ranking_r1", "2", "Deux options ont le même rang"),
    ],
)
def test_a_bad_paper_form_is_refused_in_french_and_kept_as_typed(
    admin, town_a, open_one, field, value, message
) -> None:
    consultation, q, commune = open_one
    name = f"{q['ranking'].field_name}_r1" if field == "ranking_r1" else q[field].field_name
    response = admin.post(
        f"{BASE}{consultation.pk}/papier/nouvelle/", _form(q, commune, **{name: value})
    )
    assert response.status_code == 400
    page = body(response)
    assert message in page
    assert TYPED in page  # nothing typed is lost
    assert f'value="{commune.pk}" selected' in page
    assert _paper_answers(town_a) == []
    assert _actions(town_a) == []


def test_a_correction_changes_the_answer_and_is_logged(admin, town_a, admin_a, open_one) -> None:
    consultation, q, commune = open_one
    with schema_context(town_a.schema_name):
        typed = paper.add_paper_answer(
            admin_a, consultation, answers={str(q["single"].pk): "À pied"}, neighbourhood=None
        )
    url = f"{BASE}{consultation.pk}/papier/{typed.pk}/"
    form = admin.get(url)
    assert 'value="À pied"' in body(form) and "checked" in body(form)
    response = admin.post(url, _form(q, commune))
    assert response.status_code == 302
    [saved] = _paper_answers(town_a)
    assert saved.answers[str(q["single"].pk)] == "À vélo"
    assert saved.neighbourhood_id == commune.pk
    admin.post(url, _form(q, commune))  # the same again: nothing to change
    assert _actions(town_a) == ["consultation.paper_answer_add", "consultation.paper_answer_change"]


def test_removing_asks_first_then_removes(admin, town_a, admin_a, open_one) -> None:
    consultation, q, _commune = open_one
    with schema_context(town_a.schema_name):
        typed = paper.add_paper_answer(
            admin_a, consultation, answers={str(q["single"].pk): "À pied"}, neighbourhood=None
        )
    url = f"{BASE}{consultation.pk}/papier/{typed.pk}/supprimer/"
    question = admin.get(url)
    assert "Oui, supprimer cette réponse sur papier" in body(question)
    assert len(_paper_answers(town_a)) == 1  # asking removed nothing
    assert admin.post(url).status_code == 302
    assert _paper_answers(town_a) == []
    assert admin.post(url).status_code == 404  # already gone
    assert _actions(town_a) == ["consultation.paper_answer_add", "consultation.paper_answer_remove"]


def test_an_online_answer_is_not_a_paper_answer_to_correct(
    admin, town_a, resident_a, open_one
) -> None:
    consultation, q, commune = open_one
    with schema_context(town_a.schema_name):
        online, _created = answering.submit_answer(
            consultation, user=resident_a, browser_key="", answers={str(q["single"].pk): "À pied"}
        )
    for path in (f"{online.pk}/", f"{online.pk}/supprimer/"):
        assert (
            admin.post(f"{BASE}{consultation.pk}/papier/{path}", _form(q, commune)).status_code
            == 404
        )
    with schema_context(town_a.schema_name):
        online.refresh_from_db()
        assert online.answers == {str(q["single"].pk): "À pied"}


def test_before_the_opening_no_paper_answer_is_taken(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(**upcoming_fields())
        commune = Neighbourhood.objects.create(name="Le Bourg")
    response = admin.post(f"{BASE}{consultation.pk}/papier/nouvelle/", _form(q, commune))
    assert response.status_code == 400
    page = body(response)
    assert "pas encore ouverte : les réponses sur papier comptent à partir de son ouverture" in page
    assert TYPED in page
    assert _paper_answers(town_a) == []


def test_after_the_closing_forms_handed_in_before_are_taken_when_said_so(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(**closed_fields())
        commune = Neighbourhood.objects.create(name="Le Bourg")
    url = f"{BASE}{consultation.pk}/papier/nouvelle/"
    refused = admin.post(url, _form(q, commune))
    assert refused.status_code == 400
    assert "Cochez la case pour confirmer que ce formulaire a été remis avant la clôture" in (
        body(refused)
    )
    assert TYPED in body(refused)
    assert _paper_answers(town_a) == []
    assert (
        admin.post(url, {**_form(q, commune), "handed_in_before_closing": "on"}).status_code == 302
    )
    assert len(_paper_answers(town_a)) == 1


def test_after_the_grace_period_the_answers_are_final(admin, town_a, admin_a) -> None:
    now = timezone.now()
    long_ago = {"opens_at": now - datetime.timedelta(days=60),
                "closes_at": now - datetime.timedelta(days=paper.GRACE_DAYS + 1)}  # fmt: skip
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(**long_ago)
        commune = Neighbourhood.objects.create(name="Le Bourg")
        typed = ConsultationResponse.objects.create(
            consultation=consultation, channel=PAPER, entered_by=admin_a, answers={}
        )
    data = {**_form(q, commune), "handed_in_before_closing": "on"}
    response = admin.post(f"{BASE}{consultation.pk}/papier/nouvelle/", data)
    assert response.status_code == 400
    assert "les réponses sont maintenant définitives" in body(response)
    removal = admin.post(f"{BASE}{consultation.pk}/papier/{typed.pk}/supprimer/", follow=True)
    assert "Les réponses sont définitives" in body(removal)
    assert len(_paper_answers(town_a)) == 1
    assert _actions(town_a) == []


def _paths(consultation, typed):
    base = f"{BASE}{consultation.pk}/papier/"
    return [
        ("get", base),
        ("get", base + "nouvelle/"),
        ("post", base + "nouvelle/"),
        ("get", f"{base}{typed.pk}/"),
        ("post", f"{base}{typed.pk}/"),
        ("get", f"{base}{typed.pk}/supprimer/"),
        ("post", f"{base}{typed.pk}/supprimer/"),
    ]


@pytest.mark.parametrize("who", ["guest", "resident_a", "moderator_a", "admin_b_on_a", "admin_b"])
def test_only_town_a_admins_reach_its_paper_answers(
    client_for, town_a, town_b, admin_a, open_one, who, request
) -> None:
    consultation, q, commune = open_one
    with schema_context(town_a.schema_name):
        typed = paper.add_paper_answer(
            admin_a, consultation, answers={str(q["long_text"].pk): TYPED}, neighbourhood=commune
        )
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
    for method, path in _paths(consultation, typed):
        probe(client, path, method=method, data=_form(q, commune), leaked=[TYPED])
    [kept] = _paper_answers(town_a)
    assert kept.answers == {str(q["long_text"].pk): TYPED}
    assert _actions(town_a) == ["consultation.paper_answer_add"]


def test_a_paper_answer_is_reached_only_through_its_own_consultation(
    admin, town_a, admin_a, open_one
) -> None:
    consultation, q, commune = open_one
    with schema_context(town_a.schema_name):
        other, _q = every_kind(title="Une autre consultation")
        typed = paper.add_paper_answer(admin_a, consultation, answers={}, neighbourhood=None)
    for method, path in _paths(other, typed)[3:]:
        probe(admin, path, method=method, data=_form(q, commune))
    assert len(_paper_answers(town_a)) == 1


def test_the_staff_list_counts_the_paper_answers_apart(admin, town_a, admin_a, open_one) -> None:
    consultation, _q, _commune = open_one
    with schema_context(town_a.schema_name):
        for _ in range(2):
            paper.add_paper_answer(admin_a, consultation, answers={}, neighbourhood=None)
    page = body(admin.get(BASE))
    assert '2 <span class="muted">(dont 2 sur papier)</span>' in page


def test_the_staff_results_count_each_paper_answer_at_once(
    town_a, admin_a, open_one, django_capture_on_commit_callbacks
) -> None:
    """The results are cached per version: typing in, correcting and removing a paper answer
    each bump it, so staff never read counts from before."""
    consultation, q, _commune = open_one
    single = str(q["single"].pk)

    def counted() -> dict[str, int]:
        results = results_cache.page(consultation, public=False).results
        assert results is not None
        [result] = [one for one in results.questions if one.question_id == q["single"].pk]
        return {row.label: row.count for row in result.rows if row.count}

    with schema_context(town_a.schema_name):
        assert counted() == {}
        with django_capture_on_commit_callbacks(execute=True):
            typed = paper.add_paper_answer(
                admin_a, consultation, answers={single: "À pied"}, neighbourhood=None
            )
        assert counted() == {"À pied": 1}
        with django_capture_on_commit_callbacks(execute=True):
            paper.change_paper_answer(
                admin_a, typed, answers={single: "À vélo"}, neighbourhood=None
            )
        assert counted() == {"À vélo": 1}
        with django_capture_on_commit_callbacks(execute=True):
            paper.remove_paper_answer(admin_a, typed)
        assert counted() == {}
