"""Consultations on the town's home page: figures for a guest (no title), the open ones with
their closing date and a link to answer for a member, in a constant number of queries; gone
when the town has consultations off."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from participation.consultations import answering
from participation.consultations.factories import ConsultationFactory, ResponseFactory
from participation.consultations.models import Consultation, ConsultationResponse
from tenants.models import Collectivite
from tests.consultation_support import closed_fields, switch_module, upcoming_fields
from tests.helpers import body

pytestmark = pytest.mark.django_db


def _block(client: Client) -> str:
    page = body(client.get("/"))
    assert 'id="home-consultations"' in page
    return page.split('id="home-consultations"')[1].split("</section>")[0]


def _consultations(town: Collectivite) -> dict[str, Consultation]:
    with schema_context(town.schema_name):
        soon = ConsultationFactory.create(title="Le parc des Tilleuls")
        later = ConsultationFactory.create(title="La cantine scolaire")
        later.closes_at = soon.closes_at + datetime.timedelta(days=5)
        later.save(update_fields=["closes_at"])
        closed = ConsultationFactory.create(title="Ancienne consultation", **closed_fields())
        ConsultationFactory.create(title="Pas encore ouverte", **upcoming_fields())
        ConsultationFactory.create(title="Brouillon de la mairie", published_at=None)
        for consultation in (soon, closed):
            ResponseFactory.create(consultation=consultation)
        ResponseFactory.create(consultation=soon, channel=ConsultationResponse.Channel.PAPER)
    return {"soon": soon, "later": later}


def _figures(block: str) -> list[str]:
    return [value.split("</span>")[0] for value in block.split('figure__value">')[1:]]


def test_a_guest_sees_the_figures_and_no_title(
    client_for: Callable[..., Client], town_a: Collectivite
) -> None:
    _consultations(town_a)
    block = _block(client_for(town_a))
    assert _figures(block) == ["2", "3", "1"]  # open; answers, paper one included; closed
    for title in ("Le parc des Tilleuls", "La cantine scolaire", "Brouillon de la mairie"):
        assert title not in block


def test_a_member_sees_the_open_ones_soonest_first_with_a_link_to_answer(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    made = _consultations(town_a)
    with schema_context(town_a.schema_name):
        answering.submit_answer(made["later"], user=resident_a, browser_key="", answers={})
    block = _block(client_for(town_a, resident_a))
    assert block.index("Le parc des Tilleuls") < block.index("La cantine scolaire")
    for title in ("Ancienne consultation", "Pas encore ouverte", "Brouillon de la mairie"):
        assert title not in block
    soon = made["soon"]
    closes = timezone.localtime(soon.closes_at)
    assert f"Ouverte jusqu’au {closes.day} " in block
    assert f'href="/consultations/{soon.key}/"' in block
    assert "Répondre" in block.split("La cantine scolaire")[0]
    assert "Vous avez répondu" in block.split("La cantine scolaire")[1]
    assert "Modifier ma réponse" in block.split("La cantine scolaire")[1]


def test_the_block_takes_the_same_queries_for_few_or_many(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    _consultations(town_a)
    member = client_for(town_a, resident_a)
    member.get("/")
    with CaptureQueriesContext(connection) as few:
        member.get("/")
    with schema_context(town_a.schema_name):
        for number in range(8):
            consultation = ConsultationFactory.create(title=f"Encore une {number}")
            ResponseFactory.create_batch(3, consultation=consultation)
    with CaptureQueriesContext(connection) as many:
        member.get("/")
    assert len(many) == len(few)


def test_no_block_when_the_town_has_consultations_off(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    _consultations(town_a)
    with schema_context(town_a.schema_name):
        switch_module(False)
    for client in (client_for(town_a), client_for(town_a, resident_a)):
        assert 'id="home-consultations"' not in body(client.get("/"))
