"""The idea box's staff dashboard: how long ideas wait for the town's answer, the ideas
waiting now (those the town promised to study first), counts by status and category, the CSV
files, and a cost that does not grow with the ideas."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from participation.ideas.dashboard import figures
from participation.ideas.factories import IdeaFactory, idea_category
from participation.ideas.models import Idea, IdeaAnswer, IdeaSettings
from tenants.models import Collectivite
from tests.helpers import body

pytestmark = pytest.mark.django_db

DASHBOARD = "/administration/idees/tableau-de-bord/"
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=PARIS)
S = Idea.Status


@pytest.fixture
def frozen(time_machine: Any) -> datetime:
    time_machine.move_to(NOW, tick=False)
    return NOW


def _answered(
    created: datetime, waited: timedelta, *, status: str = S.UNDER_STUDY, **fields: Any
) -> Idea:
    """An idea proposed at `created`, first answered `waited` later, answered again after."""
    idea = IdeaFactory.create(created_at=created, status=status, **fields)
    IdeaAnswer.objects.create(
        idea=idea,
        previous_status=S.SUBMITTED,
        status=S.UNDER_STUDY,
        text="Nous étudions.",
        created_at=created + waited,
    )
    if status != S.UNDER_STUDY:  # a later answer does not change the wait
        IdeaAnswer.objects.create(
            idea=idea,
            previous_status=S.UNDER_STUDY,
            status=status,
            text="Décidé.",
            created_at=created + waited * 3,
        )
    return idea


def test_the_median_and_90th_percentile_are_those_of_the_known_waits(
    town_a: Collectivite, frozen: datetime
) -> None:
    with schema_context(town_a.schema_name):
        for number, days in enumerate((1, 2, 3, 4, 5, 6, 7, 8, 9, 10)):
            _answered(NOW - timedelta(days=60 + number), timedelta(days=days), status=S.ACCEPTED)
        IdeaFactory.create(created_at=NOW - timedelta(days=5))  # waiting: not in the figures
        hidden = _answered(NOW - timedelta(days=30), timedelta(days=100))
        Idea.objects.filter(pk=hidden.pk).update(hidden_at=NOW)
        merged = IdeaFactory.create(created_at=NOW - timedelta(days=30), status=S.MERGED)
        IdeaAnswer.objects.create(
            idea=merged, previous_status=S.SUBMITTED, status=S.MERGED, text="Doublon",
            created_at=NOW - timedelta(days=1),
        )  # fmt: skip
        _answered(NOW - timedelta(days=800), timedelta(days=50))  # answered before the year
        found = figures.wait_for_answer(timezone.now())
    assert found.answered == 10
    # 1 to 10 days: the median of an even count is the mean of the middle two; the 90th
    # percentile is interpolated between the 9th and 10th (9 + 0.1 × 1).
    assert found.median == timedelta(days=5, hours=12)
    assert found.p90 == timedelta(days=9, hours=2, minutes=24)
    assert figures.days(found.p90) == 9.1


def test_the_wait_per_month_goes_by_the_month_of_the_first_answer(
    town_a: Collectivite, frozen: datetime
) -> None:
    with schema_context(town_a.schema_name):
        _answered(datetime(2026, 5, 1, 12, tzinfo=PARIS), timedelta(days=4))
        _answered(datetime(2026, 5, 2, 12, tzinfo=PARIS), timedelta(days=6))
        _answered(datetime(2026, 6, 1, 12, tzinfo=PARIS), timedelta(days=2))
        months = figures.wait_per_month(timezone.now())
    assert len(months) == 12
    assert months[-1].month.isoformat() == "2026-06-01"
    assert (months[-2].wait.answered, months[-2].wait.median) == (2, timedelta(days=5))
    assert (months[-1].wait.answered, months[-1].wait.median) == (1, timedelta(days=2))
    assert all(row.wait.answered == 0 and row.wait.median is None for row in months[:-2])


def test_waiting_ideas_past_the_threshold_come_first_then_the_oldest(
    town_a: Collectivite, frozen: datetime
) -> None:
    with schema_context(town_a.schema_name):
        IdeaSettings.objects.create(pk=1, support_threshold=10)
        old = IdeaFactory.create(
            title="Ancienne", created_at=NOW - timedelta(days=90), support_count=2
        )
        young = IdeaFactory.create(
            title="Récente", created_at=NOW - timedelta(days=3), support_count=1
        )
        promised = IdeaFactory.create(
            title="Promise", created_at=NOW - timedelta(days=20), support_count=10
        )
        IdeaFactory.create(title="Masquée", created_at=NOW - timedelta(days=99), hidden_at=NOW)
        _answered(NOW - timedelta(days=200), timedelta(days=1))  # answered: not waiting
        rows = figures.waiting_rows(list(figures.waiting_ideas(10)), timezone.now())
        counts = figures.waiting_counts(10)
    assert [(row.idea.pk, row.days, row.promised) for row in rows] == [
        (promised.pk, 20, True),
        (old.pk, 90, False),
        (young.pk, 3, False),
    ]
    assert counts == {"total": 3, "promised": 1}


def test_counts_by_status_and_by_category(town_a: Collectivite, frozen: datetime) -> None:
    with schema_context(town_a.schema_name):
        IdeaFactory.create_batch(2, category=idea_category("voirie-deplacements"))
        _answered(NOW - timedelta(days=9), timedelta(days=1), status=S.ACCEPTED,
                  category=idea_category("voirie-deplacements"))  # fmt: skip
        IdeaFactory.create(status=S.DONE)
        IdeaFactory.create(status=S.DONE, hidden_at=NOW)
        statuses = {code: total for code, _label, total in figures.per_status()}
        categories = {row.name: row for row in figures.per_category()}
        road = idea_category("voirie-deplacements").name
        other = idea_category("autre").name
    assert statuses == {
        "submitted": 2, "under_study": 0, "accepted": 1, "not_retained": 0,
        "in_progress": 0, "done": 1, "merged": 0,
    }  # fmt: skip
    assert (categories[road].ideas, categories[road].answered, categories[road].waiting) == (
        3,
        1,
        2,
    )
    assert (categories[other].ideas, categories[other].waiting) == (1, 0)


def _csv(client: Client, name: str) -> list[list[str]]:
    response = client.get(f"{DASHBOARD}{name}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    return list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))


def test_each_figure_downloads_as_a_csv_file_for_a_french_spreadsheet(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User, frozen: datetime
) -> None:
    with schema_context(town_a.schema_name):
        IdeaSettings.objects.create(pk=1, support_threshold=5)
        waiting = IdeaFactory.create(
            title='=HYPERLINK("http://evil")',
            created_at=NOW - timedelta(days=12),
            support_count=7,
        )
        _answered(datetime(2026, 6, 1, 12, tzinfo=PARIS), timedelta(days=3, hours=12))
    client = client_for(town_a, moderator_a)
    wait = _csv(client, "delai-de-reponse")
    assert wait[0] == [
        "Mois",
        "Idées ayant reçu une première réponse",
        "Délai médian (jours)",
        "90e centile du délai (jours)",
    ]
    assert len(wait) == 1 + 12 + 1
    assert wait[-2] == ["2026-06", "1", "3,5", "3,5"]
    assert wait[-1] == ["12 derniers mois", "1", "3,5", "3,5"]
    rows = _csv(client, "idees-en-attente")
    # A title that a spreadsheet would run as a formula stays text.
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
    assert rows[1][3:] == ["7", "Oui", "2026-06-03", "12", f"/idees/{waiting.pk}/"]
    assert ["Proposée", "1"] in _csv(client, "par-statut")
    assert _csv(client, "par-categorie")[0] == [
        "Catégorie", "Idées", "Avec une réponse", "En attente de réponse",
    ]  # fmt: skip
    assert client.get(f"{DASHBOARD}inconnu.csv").status_code == 404


def test_the_page_shows_each_figure_with_its_chart_and_table(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User, frozen: datetime
) -> None:
    with schema_context(town_a.schema_name):
        IdeaSettings.objects.create(pk=1, support_threshold=5)
        IdeaFactory.create(title="<script>x()</script>", created_at=NOW - timedelta(days=8))
        IdeaFactory.create(
            title="Un abri à vélos", created_at=NOW - timedelta(days=2), support_count=5
        )
        _answered(NOW - timedelta(days=40), timedelta(days=10))
    page = body(client_for(town_a, moderator_a).get(DASHBOARD))
    # Three charts, each drawn for the eyes and followed by its table (the figure says so).
    assert page.count('<figure class="chart"') == 3
    assert page.count("les mêmes chiffres sont dans le tableau qui suit") == 3
    assert page.count('class="data-table"') == 4
    assert "&lt;script&gt;x()&lt;/script&gt;" in page and "<script>x()" not in page
    assert "2 idées n’ont pas encore de réponse." in page
    # The idea past the threshold comes first, flagged, though younger.
    assert page.index("Un abri à vélos") < page.index("&lt;script&gt;x()")
    assert page.count("À étudier (engagement)") == 1
    assert "10,0 jours" in page


def test_the_staff_menu_links_to_the_dashboard(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User, resident_a: User
) -> None:
    assert f'href="{DASHBOARD}"' in body(client_for(town_a, moderator_a).get("/idees/"))
    assert f'href="{DASHBOARD}"' not in body(client_for(town_a, resident_a).get("/idees/"))


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("extra", [1, 40])
def test_the_dashboard_costs_the_same_whatever_the_number_of_ideas(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User, extra: int
) -> None:
    client = client_for(town_a, moderator_a)
    with schema_context(town_a.schema_name):
        _answered(timezone.now() - timedelta(days=3), timedelta(days=1))
        IdeaFactory.create()
    client.get(DASHBOARD)  # the session and the site's look, then cached
    baseline = _count(client, DASHBOARD)
    csv_baseline = _count(client, f"{DASHBOARD}idees-en-attente.csv")
    with schema_context(town_a.schema_name):
        for index in range(extra):
            created = timezone.now() - timedelta(days=index * 9 + 2)
            category = idea_category(["autre", "voirie-deplacements"][index % 2])
            if index % 2:
                _answered(created, timedelta(days=1), category=category)
            else:
                IdeaFactory.create(created_at=created, category=category)
    assert _count(client, DASHBOARD) == baseline
    assert _count(client, f"{DASHBOARD}idees-en-attente.csv") == csv_baseline


def test_a_resident_and_a_guest_cannot_read_it(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    assert client_for(town_a, resident_a).get(DASHBOARD).status_code == 403
    assert client_for(town_a).get(DASHBOARD).status_code == 302


def test_residents_see_how_long_an_idea_past_the_threshold_has_waited(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, frozen: datetime
) -> None:
    with schema_context(town_a.schema_name):
        IdeaSettings.objects.create(pk=1, support_threshold=5)
        waiting = IdeaFactory.create(
            title="Un abri bus", created_at=NOW - timedelta(days=12), support_count=5
        )
        IdeaFactory.create(
            title="Pas encore assez", created_at=NOW - timedelta(days=30), support_count=4
        )
        _answered(NOW - timedelta(days=40), timedelta(days=1), support_count=9)
    client = client_for(town_a, resident_a)
    page = body(client.get("/idees/"))
    assert page.count("Attend la réponse de la commune depuis") == 1
    assert "Attend la réponse de la commune depuis 12 jours." in page
    assert "Attend la réponse de la commune depuis 12 jours." in body(
        client.get(f"/idees/{waiting.pk}/")
    )
