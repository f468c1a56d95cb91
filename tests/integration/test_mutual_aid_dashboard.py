"""The staff dashboard of mutual aid: figures right on known data, CSV files, the goal, cost."""

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

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.dashboard import figures
from mutual_aid.factories import (
    CommitmentFactory,
    ConversationFactory,
    MessageFactory,
    PostFactory,
    SeatBookingFactory,
    category,
)
from mutual_aid.models import MutualAidSettings, Post
from tenants.models import AuditEntry, Collectivite
from tests.helpers import body

pytestmark = pytest.mark.django_db

DASHBOARD = "/administration/entraide/tableau-de-bord/"
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=PARIS)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def _answered_after(post: Any, delay: timedelta, *, author_first: bool = False) -> None:
    """A neighbour's first message `delay` after the post (the author's own doesn't count)."""
    conversation = ConversationFactory(post=post)
    if author_first:
        MessageFactory(conversation=conversation, sender=post.author, created_at=post.created_at)
    MessageFactory(conversation=conversation, created_at=post.created_at + delay)
    MessageFactory(conversation=conversation, created_at=post.created_at + delay * 3)


def test_the_median_time_to_a_first_answer_is_that_of_the_known_delays(town_a, frozen) -> None:
    with schema_context(town_a.schema_name):
        for days_ago, hours in ((40, 2), (20, 4), (10, 6), (3, 8)):
            post = PostFactory(created_at=NOW - timedelta(days=days_ago))
            # The author writing first changes nothing: only someone else's message answers.
            _answered_after(post, timedelta(hours=hours), author_first=True)
        PostFactory(created_at=NOW - timedelta(days=2))  # not answered: not in the median
        old = PostFactory(created_at=NOW - timedelta(days=400))  # before the 12 months
        _answered_after(old, timedelta(hours=100))
        found = figures.first_answer(timezone.now())
    # 2, 4, 6 and 8 hours: the median of an even count is the mean of the middle two.
    assert found.median == timedelta(hours=5)
    assert found.answered_posts == 4
    assert figures.duration_parts(found.median) == (0, 5, 0)


def test_active_residents_count_each_person_once_over_the_last_30_days(town_a, frozen) -> None:
    with schema_context(town_a.schema_name):
        poster, writer, passenger, buyer, gone = UserFactory.create_batch(5)
        post = PostFactory(author=poster, created_at=NOW - timedelta(days=10))
        PostFactory(author=poster, created_at=NOW - timedelta(days=2))  # the same person
        conversation = ConversationFactory(post=post, respondent=writer)
        MessageFactory(conversation=conversation, sender=writer, created_at=NOW - timedelta(5))
        MessageFactory(conversation=conversation, sender=poster, created_at=NOW - timedelta(4))
        SeatBookingFactory(passenger=passenger)
        CommitmentFactory(resident=buyer)
        PostFactory(author=gone, created_at=NOW - timedelta(days=31))  # too long ago
        # The factories' own authors posted now too: count them by what they made.
        others = set(
            Post.objects.filter(created_at__gte=NOW - timedelta(days=30))
            .exclude(author__in=[poster])
            .values_list("author_id", flat=True)
        )
        assert figures.active_residents(timezone.now()) == 4 + len(others)


def test_unanswered_requests_are_the_open_ones_older_than_a_week_nobody_else_wrote_on(
    town_a, frozen
) -> None:
    with schema_context(town_a.schema_name):
        waiting = PostFactory(
            kind=Post.Kind.REQUEST, title="Qui peut m'aider ?", created_at=NOW - timedelta(8)
        )
        # Only its author wrote in its conversation: still unanswered.
        conversation = ConversationFactory(post=waiting)
        MessageFactory(conversation=conversation, sender=waiting.author)
        answered = PostFactory(kind=Post.Kind.REQUEST, created_at=NOW - timedelta(9))
        _answered_after(answered, timedelta(days=3))
        PostFactory(kind=Post.Kind.REQUEST, created_at=NOW - timedelta(days=3))  # too recent
        PostFactory(kind=Post.Kind.OFFER, created_at=NOW - timedelta(days=8))  # an offer
        PostFactory(
            kind=Post.Kind.REQUEST, created_at=NOW - timedelta(8), status=Post.Status.CLOSED
        )
        PostFactory(kind=Post.Kind.REQUEST, created_at=NOW - timedelta(8), deleted_at=NOW)
        found = list(figures.unanswered_requests(timezone.now()))
    assert found == [waiting]


def test_posts_and_help_given_per_month_and_per_category(town_a, frozen) -> None:
    with schema_context(town_a.schema_name):
        courses, jardinage = category("courses"), category("jardinage")
        # 1 June 00:30 in Paris is still 31 May in UTC: it counts in June, the town's month.
        june_first = datetime(2026, 6, 1, 0, 30, tzinfo=PARIS)
        PostFactory(category=courses, created_at=june_first)
        PostFactory(category=courses, created_at=NOW - timedelta(days=1))
        PostFactory(
            category=jardinage,
            created_at=datetime(2026, 4, 10, tzinfo=PARIS),
            status=Post.Status.HELPED,
            helped_at=datetime(2026, 5, 2, tzinfo=PARIS),
        )
        PostFactory(category=jardinage, created_at=NOW, hidden_at=NOW)  # hidden: not counted
        PostFactory(category=courses, created_at=datetime(2025, 5, 31, tzinfo=PARIS))  # too old
        months = figures.per_month(timezone.now())
        categories = {row.name: row for row in figures.per_category(timezone.now())}
    assert len(months) == 12
    assert months[0].month.isoformat() == "2025-07-01"
    assert [(row.month.isoformat(), row.posts, row.helped) for row in months[-3:]] == [
        ("2026-04-01", 1, 0),
        ("2026-05-01", 0, 1),
        ("2026-06-01", 2, 0),
    ]
    assert sum(row.posts for row in months) == 3
    assert (categories["Courses"].posts, categories["Courses"].helped) == (2, 0)
    assert (categories["Jardinage"].posts, categories["Jardinage"].helped) == (1, 1)
    assert categories["Bricolage"].posts == 0


def _csv(client: Client, name: str) -> list[list[str]]:
    response = client.get(f"{DASHBOARD}{name}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="' in response["Content-Disposition"]
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    return list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))


def test_each_figure_downloads_as_a_csv_file_for_a_french_spreadsheet(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User, frozen
) -> None:
    with schema_context(town_a.schema_name):
        request: Any = PostFactory(
            kind=Post.Kind.REQUEST,
            title='=HYPERLINK("http://evil")',
            category=category("jardinage"),
            created_at=NOW - timedelta(days=10),
        )
        _answered_after(PostFactory(created_at=NOW - timedelta(days=2)), timedelta(hours=3))
    client = client_for(town_a, moderator_a)
    assert _csv(client, "par-categorie")[0] == [
        "Catégorie",
        "Publications (12 mois)",
        "Coups de main donnés (12 mois)",
    ]
    assert ["Jardinage", "1", "0"] in _csv(client, "par-categorie")
    months = _csv(client, "par-mois")
    assert months[-1] == ["2026-06", "2", "0"]
    assert len(months) == 13
    assert _csv(client, "premiere-reponse")[1] == ["3,0", "1"]
    assert _csv(client, "residents-actifs")[1][1:] == ["3", "200"]
    unanswered = _csv(client, "demandes-sans-reponse")
    # A title that a spreadsheet would run as a formula stays text.
    assert unanswered[1][:2] == ['\'=HYPERLINK("http://evil")', "Jardinage"]
    assert unanswered[1][4:] == ["10", f"/entraide/{request.pk}/"]
    assert client.get(f"{DASHBOARD}inconnu.csv").status_code == 404


def test_the_page_shows_each_figure_with_its_chart_and_table(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User, frozen
) -> None:
    with schema_context(town_a.schema_name):
        PostFactory(
            kind=Post.Kind.REQUEST, title="<script>x()</script>", created_at=NOW - timedelta(8)
        )
    page = body(client_for(town_a, moderator_a).get(DASHBOARD))
    # Two charts, each drawn for the eyes and followed by its table (the figure says so).
    assert page.count('<figure class="chart"') == 2
    assert page.count("les mêmes chiffres sont dans le tableau qui suit") == 2
    assert page.count('class="data-table"') == 3
    assert "&lt;script&gt;x()&lt;/script&gt;" in page and "<script>x()" not in page
    assert "1 demande attend encore un voisin" in page
    assert 'max="200"' in page
    # Only an admin may set the goal: a moderator sees no form.
    assert 'name="goal"' not in page


def test_an_admin_sets_the_goal_and_the_log_keeps_it(
    admin: Client, town_a: Collectivite, admin_a: User
) -> None:
    response = admin.post(DASHBOARD, {"goal": "350"})
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        assert MutualAidSettings.load().active_residents_goal == 350
    entry = AuditEntry.objects.get(collectivite=town_a, action="aid.goal")
    assert entry.before == {"active_residents_goal": 200}
    assert entry.after == {"active_residents_goal": 350}
    assert entry.actor_id == admin_a.pk
    # The same goal again changes nothing and writes nothing.
    admin.post(DASHBOARD, {"goal": "350"})
    assert AuditEntry.objects.filter(collectivite=town_a, action="aid.goal").count() == 1
    assert 'max="350"' in body(admin.get(DASHBOARD))


@pytest.mark.parametrize("typed", ["0", "-5", "beaucoup", "", "99999999"])
def test_a_bad_goal_says_why_and_keeps_what_was_typed(
    admin: Client, town_a: Collectivite, typed: str
) -> None:
    response = admin.post(DASHBOARD, {"goal": typed})
    assert response.status_code == 200
    page = body(response)
    assert 'class="errorlist' in page
    assert f'value="{typed}"' in page or typed == ""
    with schema_context(town_a.schema_name):
        assert MutualAidSettings.load().active_residents_goal == 200
    assert not AuditEntry.objects.filter(collectivite=town_a, action="aid.goal").exists()


def test_a_moderator_may_read_but_not_set_the_goal(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User
) -> None:
    client = client_for(town_a, moderator_a)
    assert client.get(DASHBOARD).status_code == 200
    assert client.post(DASHBOARD, {"goal": "5"}).status_code == 403
    with schema_context(town_a.schema_name):
        assert MutualAidSettings.load().active_residents_goal == 200


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_whatever_the_activity(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User
) -> None:
    client = client_for(town_a, moderator_a)
    with schema_context(town_a.schema_name):
        _answered_after(PostFactory(kind=Post.Kind.REQUEST), timedelta(hours=1))
    client.get(DASHBOARD)  # the session and the site's look, then cached
    baseline = _count(client, DASHBOARD)
    csv_baseline = _count(client, f"{DASHBOARD}demandes-sans-reponse.csv")
    with schema_context(town_a.schema_name):
        for index in range(25):
            post = PostFactory(
                kind=Post.Kind.REQUEST,
                category=category(["courses", "jardinage", "bricolage"][index % 3]),
                created_at=timezone.now() - timedelta(days=index * 9),
            )
            if index % 2:
                _answered_after(post, timedelta(hours=index))
    assert _count(client, DASHBOARD) == baseline
    assert _count(client, f"{DASHBOARD}demandes-sans-reponse.csv") == csv_baseline


def test_a_read_only_site_shows_the_dashboard_but_keeps_the_goal(
    admin: Client, town_a: Collectivite
) -> None:
    town_a.site_access = Collectivite.Access.READ_ONLY
    town_a.save(update_fields=["site_access"])
    assert admin.get(DASHBOARD).status_code == 200
    assert admin.post(DASHBOARD, {"goal": "350"}).status_code == 403
    with schema_context(town_a.schema_name):
        assert MutualAidSettings.load().active_residents_goal == 200
