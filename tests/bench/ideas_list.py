"""How fast a town's idea list answers, under load, in a busy town.

Run from the repository root:  .venv/bin/python tests/bench/ideas_list.py [--help]

One town (slug `bench-idees`) with 10,000 ideas, 100,000 supports and 50,000 comments from
2,000 residents (bulk-created on first run, then reused) is served by gunicorn with the
project's settings, DEBUG off, as tests/bench/mutual_aid_list.py serves its town. wrk sends 8
concurrent connections, each with a logged-in resident's session, to the list sorted as it
opens (most supported first), to the newest first, and to one idea's page with a thread of
500 comments (and replies). Figures on stdout:

    ideas_list_p95_ms          95th percentile latency of /idees/ (target < 50 ms)
    ideas_newest_p95_ms        the same for /idees/?sort=newest
    idea_page_p95_ms           the same for the idea with 500 comments
    ideas_list_queries         SQL statements of one list request, measured, in steady state
    idea_page_queries          the same for the idea with 500 comments
    ideas_list_rps             requests/s on the list (for reference)
    ideas_*_cpu_ms_per_request the gunicorn workers' CPU time per request (Linux)

Exits 1 if a server does not start, the page does not show the ideas, or any response under
load is not 2xx.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import timedelta

from _bench_support import BenchError, emit, install_cleanup, log, require_wrk, setup_django
from _page_load import (
    add_load_arguments,
    ensure_bench_town,
    measure_pages,
    queries_of,
    resident_cookie,
)

SLUG = "bench-idees"
OFFICIAL_CODE = "00002"  # no département 00: never a real commune
IDEAS, SUPPORTS, COMMENTS, RESIDENTS = 10_000, 100_000, 50_000, 2_000
PAGES = {"list": "/idees/", "newest": "/idees/?sort=newest"}
TARGET_MS = 50.0
MARKER = b'<article class="post'  # a card of the list, the idea on its page
THREAD_TITLE = "Un débat de 500 commentaires"
THREAD_SIZE = 500
EMAIL = "habitant{n}@bench-idees.example"

TITLES = [
    "Un composteur partagé près de l’école",
    "Des bancs le long de la promenade",
    "Une boîte à livres sur la place",
    "Un éclairage plus doux rue des Lilas",
    "Un marché de producteurs le samedi",
    "Une piste cyclable vers la gare",
    "Des jardins partagés derrière la mairie",
    "Un atelier de réparation de vélos",
]


def fill_town() -> None:
    """2,000 residents, 10,000 ideas, 100,000 supports, 50,000 comments, bulk-created."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from participation.ideas.models import Idea, IdeaCategory, IdeaComment, IdeaSupport

    if Idea.objects.count() >= IDEAS and IdeaComment.objects.count() >= COMMENTS:
        log("The bench town is already filled")
        return
    log("Filling the bench town: residents, ideas, supports, comments")
    rng = random.Random(10)
    now = timezone.now()
    with transaction.atomic():
        IdeaComment.objects.all().delete()
        IdeaSupport.objects.all().delete()
        Idea.objects.all().delete()
        User.objects.filter(email__endswith="@bench-idees.example").delete()
        password = make_password("bench-idees")
        residents = User.objects.bulk_create(
            User(email=EMAIL.format(n=n), display_name=f"Habitant {n}", password=password,
                 role=User.Role.RESIDENT)
            for n in range(RESIDENTS)
        )  # fmt: skip
        categories = list(IdeaCategory.objects.all())
        if not categories:
            raise BenchError("No idea category: the ideas migration seeds them")
        ideas = Idea.objects.bulk_create(
            (
                Idea(
                    author=residents[rng.randrange(RESIDENTS)],
                    title=f"{TITLES[n % len(TITLES)]} ({n})",
                    description="Ce serait utile à tout le quartier, et peu coûteux.",
                    category=categories[n % len(categories)],
                    created_at=now - timedelta(minutes=rng.randint(0, 60 * 24 * 200)),
                )
                for n in range(IDEAS)
            ),
            batch_size=2000,
        )
        supports: set[tuple[int, int]] = set()
        while len(supports) < SUPPORTS:
            # Skewed: a few ideas gather many supports, as in a real town.
            idea = ideas[int(rng.paretovariate(1.2)) % IDEAS]
            supports.add((idea.pk, residents[rng.randrange(RESIDENTS)].pk))
        IdeaSupport.objects.bulk_create(
            (IdeaSupport(idea_id=idea, user_id=user) for idea, user in supports), batch_size=5000
        )
        IdeaComment.objects.bulk_create(
            (
                IdeaComment(
                    idea=ideas[rng.randrange(IDEAS)],
                    author=residents[rng.randrange(RESIDENTS)],
                    body="Bonne idée, je soutiens.",
                )
                for _ in range(COMMENTS)
            ),
            batch_size=5000,
        )
        with connection.cursor() as cursor:  # the kept counts, as the services keep them
            table = Idea._meta.db_table
            cursor.execute(
                f"UPDATE {table} SET support_count = s.n FROM (SELECT idea_id, count(*) AS n FROM "  # noqa: S608
                f"{IdeaSupport._meta.db_table} GROUP BY idea_id) s WHERE s.idea_id = {table}.id"
            )
            cursor.execute(
                f"UPDATE {table} SET comment_count = c.n FROM (SELECT idea_id, count(*) AS n FROM "  # noqa: S608
                f"{IdeaComment._meta.db_table} GROUP BY idea_id) c WHERE c.idea_id = {table}.id"
            )
    with connection.cursor() as cursor:  # fresh statistics for the planner, as autovacuum would
        cursor.execute("ANALYZE")
    log(f"Filled: {IDEAS} ideas, {len(supports)} supports, {COMMENTS} comments")


def thread_page() -> str:
    """The path of an idea with 500 comments (half of them replies), made once."""
    from django.db import transaction
    from django.db.models import F

    from accounts.models import User
    from participation.ideas.models import Idea, IdeaCategory, IdeaComment

    idea = Idea.objects.filter(title=THREAD_TITLE).first()
    if idea is None:
        with transaction.atomic():
            people = list(User.objects.filter(email__endswith="@bench-idees.example")[:50])
            idea = Idea.objects.create(
                author=people[0],
                title=THREAD_TITLE,
                description="Une idée très discutée.",
                category=IdeaCategory.objects.order_by("pk")[0],
            )
            roots = IdeaComment.objects.bulk_create(
                IdeaComment(idea=idea, author=people[n % 50], body=f"Avis n° {n}")
                for n in range(THREAD_SIZE // 2)
            )
            IdeaComment.objects.bulk_create(
                IdeaComment(idea=idea, author=people[(n + 7) % 50], parent=root, depth=1,
                            body="Je réponds : d’accord.")
                for n, root in enumerate(roots)
            )  # fmt: skip
            Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + THREAD_SIZE)
    return f"/idees/{idea.pk}/"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_load_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    install_cleanup()
    try:
        wrk = require_wrk()
        setup_django()
        from django_tenants.utils import schema_context

        schema, host = ensure_bench_town(
            slug=SLUG, name="Idées-sur-Banc", official_code=OFFICIAL_CODE, fill=fill_town
        )
        cookie = resident_cookie(schema, host, EMAIL.format(n=1))
        with schema_context(schema):
            pages = {**PAGES, "idea": thread_page()}
        counts = {}
        for name, path in pages.items():
            counts[name], sql = queries_of(path, host, cookie, MARKER)
            log(f"[{name}] {counts[name]} SQL queries per request:"
                + "".join(f"\n    {query[:150]}" for query in sql))  # fmt: skip
        results = measure_pages(
            wrk, pages, host=host, cookie=cookie, marker=MARKER, args=args, label="ideas"
        )
    except BenchError as error:
        log(f"ideas_list: {error}")
        return 1
    except KeyboardInterrupt:
        log("ideas_list: interrupted")
        return 130
    emit("ideas_list_p95_ms", results["list"].p95_ms, digits=1)
    emit("ideas_newest_p95_ms", results["newest"].p95_ms, digits=1)
    emit("idea_page_p95_ms", results["idea"].p95_ms, digits=1)
    emit("ideas_list_queries", counts["list"])
    emit("idea_page_queries", counts["idea"])
    emit("ideas_list_rps", results["list"].rps, digits=1)
    for name, latency in results.items():
        if latency.cpu_ms is not None:
            emit(f"{_figure(name)}_cpu_ms_per_request", latency.cpu_ms, digits=1)
    for name, latency in results.items():
        if latency.p95_ms >= TARGET_MS:
            log(f"{_figure(name)}_p95_ms {latency.p95_ms:.1f} is over the {TARGET_MS} ms target")
    return 0


def _figure(page: str) -> str:
    return "idea_page" if page == "idea" else f"ideas_{page}"


if __name__ == "__main__":
    sys.exit(main())
