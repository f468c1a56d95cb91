"""The idea list's SQL at scale: each sort reads its index (no sort of every idea), a rare
word is found through the search index. (The count for the pages reads the partial index
idea_listed once autovacuum has passed, which a test's transaction never sees: measured on the
bench instead, 5.3 ms -> 2.1 ms for 10,000 ideas.)"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from participation.ideas import queries
from participation.ideas.factories import idea_category
from participation.ideas.models import Idea
from tenants.models import Collectivite

pytestmark = pytest.mark.django_db

IDEAS = 4_000


@pytest.fixture
def many_ideas(town_a: Collectivite, resident_a: User) -> None:
    """4,000 ideas, a few answered, one in 500 about a fontaine; statistics fresh."""
    rng = random.Random(4)
    now = timezone.now()
    with schema_context(town_a.schema_name):
        category = idea_category()
        Idea.objects.bulk_create(
            Idea(
                author=resident_a,
                category=category,
                title=f"Une fontaine n° {n}" if n % 500 == 0 else f"Des bancs n° {n}",
                description="Pour tout le quartier.",
                support_count=rng.randrange(200),
                comment_count=rng.randrange(50),
                created_at=now - timedelta(minutes=n),
                answered_at=now - timedelta(hours=n) if n % 10 == 0 else None,
                status=Idea.Status.UNDER_STUDY if n % 10 == 0 else Idea.Status.SUBMITTED,
            )
            for n in range(IDEAS)
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE participation_idea")


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("supported", "idea_most_supported"),
        ("newest", "idea_newest"),
        ("discussed", "idea_most_discussed"),
        ("answered", "idea_answered_nulls_last"),
    ],
)
def test_each_sort_reads_its_index(
    many_ideas: None, town_a: Collectivite, resident_a: User, sort: str, index: str
) -> None:
    with schema_context(town_a.schema_name):
        found = queries.browse(resident_a, queries.Filters(sort=sort))
        plan = found[: queries.PAGE_SIZE].explain()
    assert f"Index Scan using {index}" in plan, plan
    assert "Sort" not in plan, plan  # not even an incremental one


def test_a_rare_word_is_found_through_the_search_index(
    many_ideas: None, town_a: Collectivite, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        found = queries.browse(resident_a, queries.Filters(q="fontaine"))
        page_plan = found[: queries.PAGE_SIZE].explain()
        count_plan = found.explain()
        assert found.count() == IDEAS // 500
    assert "idea_search" in page_plan, page_plan
    assert "idea_search" in count_plan, count_plan
