"""The idea box on the town's home page: figures for a guest, the town's latest answers and the
ideas waiting for one for a member, in a constant number of queries; gone when the box is off."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from participation.ideas.models import Idea
from tenants.models import Collectivite
from tests.helpers import body
from tests.ideas_support import new_idea
from townsite.setup import services

pytestmark = pytest.mark.django_db
S = Idea.Status


def _home(client: Client) -> str:
    return body(client.get("/"))


def _ideas(town: Collectivite) -> None:
    new_idea(town, title="Un banc devant la poste", support_count=12)
    new_idea(town, title="Des arceaux à vélos", status=S.DONE, answered_at=timezone.now())
    new_idea(town, title="Idée cachée", hidden_at=timezone.now())


def test_a_guest_sees_the_figures_but_no_idea_nor_name(
    client_for: Callable[..., Client], town_a: Collectivite
) -> None:
    _ideas(town_a)
    page = _home(client_for(town_a))
    assert 'id="home-ideas"' in page
    assert "Un banc devant la poste" not in page and "Des arceaux à vélos" not in page
    # Two shown (the hidden one is not counted), one answered, one carried out.
    figures = page.split('id="home-ideas"')[1].split("</ul>")[0]
    assert [value.split("</span>")[0] for value in figures.split('figure__value">')[1:]] == [
        "2",
        "1",
        "1",
    ]


def test_a_member_sees_the_latest_answers_and_the_waiting_ideas_in_constant_queries(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    _ideas(town_a)
    member = client_for(town_a, resident_a)
    page = _home(member)
    answers = page.split("Les dernières réponses de la commune")[1]
    assert "Des arceaux à vélos" in answers.split("<h3>")[0]
    assert "Un banc devant la poste" in answers.split("<h3>")[1]
    assert "Idée cachée" not in page
    with CaptureQueriesContext(connection) as few:
        _home(member)
    for number in range(10):
        new_idea(town_a, title=f"Encore une idée {number}", status=S.ACCEPTED,
                 answered_at=timezone.now())  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        _home(member)
    assert len(many) == len(few)


def test_no_block_when_the_town_has_its_idea_box_off(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    _ideas(town_a)
    with schema_context(town_a.schema_name):
        services.save_modules(by=None, mutual_aid=True, consultations=True, ideas=False)
    for client in (client_for(town_a), client_for(town_a, resident_a)):
        assert 'id="home-ideas"' not in _home(client)
