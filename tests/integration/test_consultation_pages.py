"""The residents' side of consultations: the module switch, the list, drafts unseen, the
anonymous audience (once per browser, rate limit per address), telling residents in batches."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from notifications.models import Notification
from participation.consultations import browser, notices
from participation.consultations.factories import ConsultationFactory
from participation.consultations.models import Consultation, ConsultationResponse
from participation.consultations.views import ANONYMOUS_LIMIT
from tests.consultation_support import (
    answer_form,
    closed_fields,
    every_kind,
    switch_module,
    upcoming_fields,
)
from tests.helpers import body

pytestmark = pytest.mark.django_db


def _url(consultation: Consultation, tail: str = "") -> str:
    return f"/consultations/{consultation.key}/{tail}"


def test_the_list_groups_open_upcoming_and_closed_and_hides_drafts(
    client_for, town_a, resident_a
) -> None:
    with schema_context(town_a.schema_name):
        ConsultationFactory.create(title="Ouverte A")
        ConsultationFactory.create(title="Bientôt B", **upcoming_fields())
        ConsultationFactory.create(title="Close C", **closed_fields())
        ConsultationFactory.create(title="Brouillon D", published_at=None)
    page = body(client_for(town_a, resident_a).get("/consultations/"))
    assert page.index("Ouvertes") < page.index("Ouverte A") < page.index("Bientôt")
    assert page.index("Bientôt B") < page.index("Close C")
    assert "Brouillon D" not in page


def test_a_draft_is_not_found_by_residents(client_for, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        draft = ConsultationFactory.create(title="Brouillon secret", published_at=None)
    response = client_for(town_a, resident_a).get(_url(draft))
    assert response.status_code == 404
    assert "Brouillon secret" not in body(response)


@pytest.mark.parametrize("who", ["resident_a", "admin_a"])
def test_the_module_switched_off_answers_404(client_for, town_a, who, request) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create()
        switch_module(False)
    client = client_for(town_a, request.getfixturevalue(who))
    for path in (
        "/consultations/",
        _url(consultation),
        "/administration/consultations/",
        f"/administration/consultations/{consultation.pk}/questionnaire/",
    ):
        assert client.get(path).status_code == 404, path
    with schema_context(town_a.schema_name):
        switch_module(True)
    assert client.get("/consultations/").status_code == 200


def test_a_guest_is_sent_to_log_in_for_a_residents_consultation(client_for, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create(title="Pour les habitants")
    response = client_for(town_a).get(_url(consultation))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.fixture
def link_consultation(town_a):
    with schema_context(town_a.schema_name):
        return every_kind(audience=Consultation.Audience.LINK)


def _anonymous_answers(town) -> list[ConsultationResponse]:
    with schema_context(town.schema_name):
        return list(ConsultationResponse.objects.all())


def test_anyone_with_the_link_answers_once_per_browser(client_for, town_a, link_consultation):
    consultation, q = link_consultation
    guest = client_for(town_a)
    page = guest.get(_url(consultation))
    assert page.status_code == 200
    assert "Vous répondez sans compte" in body(page)
    cookie = guest.cookies[browser.COOKIE].value
    assert guest.post(_url(consultation), answer_form(q)).status_code == 302
    assert (
        guest.post(
            _url(consultation), answer_form(q, **{q["single"].field_name: "À pied"})
        ).status_code
        == 302
    )
    [saved] = _anonymous_answers(town_a)
    assert saved.respondent_id is None
    assert saved.answers[str(q["single"].pk)] == "À pied"
    assert saved.browser_key == browser.browser_key(
        browser.tokens.unsign(cookie, purpose=browser.PURPOSE, max_age=browser.MAX_AGE)
    )
    assert cookie not in saved.browser_key
    assert "Merci pour votre réponse" in body(guest.get(_url(consultation, "merci/")))


def test_the_documented_limit_another_browser_answers_again(client_for, town_a, link_consultation):
    consultation, q = link_consultation
    for _ in range(2):
        guest = client_for(town_a)
        guest.get(_url(consultation))
        assert guest.post(_url(consultation), answer_form(q)).status_code == 302
    assert len(_anonymous_answers(town_a)) == 2


def test_a_forged_or_missing_cookie_does_not_answer(client_for, town_a, link_consultation):
    consultation, q = link_consultation
    guest = client_for(town_a)
    response = guest.post(
        _url(consultation), answer_form(q, **{q["long_text"].field_name: "Gardé"})
    )
    assert response.status_code == 400
    assert "autorisez les cookies" in body(response) and "Gardé" in body(response)
    guest.cookies[browser.COOKIE] = "forged:value"
    assert guest.post(_url(consultation), answer_form(q)).status_code == 400
    assert _anonymous_answers(town_a) == []


def test_a_browser_cookie_of_town_b_is_worthless_in_town_a(client_for, town_a, town_b) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(audience=Consultation.Audience.LINK)
    with schema_context(town_b.schema_name):
        forged = browser.tokens.sign("same-id", purpose=browser.PURPOSE)
    guest = client_for(town_a)
    guest.cookies[browser.COOKIE] = forged
    assert guest.post(_url(consultation), answer_form(q)).status_code == 400
    assert _anonymous_answers(town_a) == []


def test_an_anonymous_draft_is_kept_for_the_browser(client_for, town_a, link_consultation):
    consultation, q = link_consultation
    guest = client_for(town_a)
    guest.get(_url(consultation))
    data = answer_form(q, action="draft", **{q["long_text"].field_name: "Brouillon anonyme"})
    assert guest.post(_url(consultation), data).status_code == 302
    assert "Brouillon anonyme" in body(guest.get(_url(consultation)))
    assert "Brouillon anonyme" not in body(client_for(town_a).get(_url(consultation)))


def test_anonymous_answers_are_rate_limited_per_address(client_for, town_a, link_consultation):
    consultation, q = link_consultation
    for _ in range(ANONYMOUS_LIMIT):
        guest = client_for(town_a)
        guest.get(_url(consultation))
        assert guest.post(_url(consultation), answer_form(q)).status_code == 302
    guest = client_for(town_a)
    guest.get(_url(consultation))
    refused = guest.post(_url(consultation), answer_form(q, **{q["long_text"].field_name: "Gardé"}))
    assert refused.status_code == 429
    assert "Trop de réponses ont été envoyées depuis votre connexion." in body(refused)
    assert "Gardé" in body(refused)
    assert len(_anonymous_answers(town_a)) == ANONYMOUS_LIMIT
    other_address = Client(HTTP_HOST=town_a.primary_host, REMOTE_ADDR="10.1.2.3")
    other_address.get(_url(consultation))
    assert other_address.post(_url(consultation), answer_form(q)).status_code == 302


def test_residents_are_told_in_batches_once(town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create()
        UserFactory.create_batch(5)
        audience = notices.audience_of(consultation).count()
        assert notices.tell_residents(consultation.pk, batch_size=2) == audience
        assert notices.tell_residents(consultation.pk, batch_size=2) == 0
        told = Notification.objects.filter(kind=notices.NEW_CONSULTATION.code)
        assert told.count() == audience
        assert told.values("recipient_id").distinct().count() == audience
