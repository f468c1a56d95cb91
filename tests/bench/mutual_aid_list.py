"""How fast a town's mutual aid list and a French search answer, under load, in a busy town.

Run from the repository root:  .venv/bin/python tests/bench/mutual_aid_list.py [--help]

One town (slug `bench-entraide`) with 10,000 posts, 2,000 residents and 20,000 messages
(bulk-created on first run, then reused) is served by gunicorn with the project's settings,
DEBUG off (as tests/bench/tenant_resolution.py does). wrk sends 8 concurrent connections,
each request with a logged-in resident's session cookie, to the list page and to a search
("courses epicerie" without accents, as people type it). Figures on stdout:

    mutual_aid_list_p95_ms     95th percentile latency of /entraide/ (target < 50 ms)
    mutual_aid_search_p95_ms   the same for /entraide/?q=epicerie (target < 50 ms)
    mutual_aid_list_queries    SQL queries of one list request, measured, in steady state
    mutual_aid_search_queries  the same for the search
    mutual_aid_list_rps        requests/s on the list (for reference)
    mutual_aid_search_rps      requests/s on the search
    mutual_aid_*_cpu_ms_per_request  the gunicorn workers' CPU time per request (Linux): what
                               the page costs, whatever else the machine is doing

Exits 1 if a server does not start, a page does not show the posts, or any response under
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

SLUG = "bench-entraide"
OFFICIAL_CODE = "00001"  # no département 00: never a real commune
POSTS, RESIDENTS, MESSAGES = 10_000, 2_000, 20_000
LIST_PATH = "/entraide/"
SEARCH_PATH = "/entraide/?q=epicerie"
TARGET_MS = 50.0
MARKER = b"post-card"  # a post's card: the page shows the posts

# Words of the generated posts: a search for "epicerie" finds about 1 post in 12.
TOPICS = [
    ("Courses à l’épicerie du village", "Je peux faire vos courses à l’épicerie le samedi."),
    ("Tondre la pelouse", "Ma tondeuse peut servir à une voisine, le dimanche matin."),
    ("Garde de chat", "Je passe nourrir votre chat pendant vos vacances."),
    ("Trajet vers la gare", "Je pars tous les jours à 7 h 30 vers Versailles."),
    ("Aide pour un dossier en ligne", "Je vous aide à remplir une démarche sur internet."),
    ("Monter un meuble", "J’ai une visseuse et un peu de temps le soir."),
    ("Un café et une discussion", "J’aime rendre visite aux personnes qui vivent seules."),
    ("Prêt d’une échelle", "Échelle de quatre mètres à prêter pour quelques jours."),
    ("Soupe maison", "Je cuisine trop : une part de soupe pour un voisin ?"),
    ("Cours de tricot", "Je montre les bases du tricot le mercredi après-midi."),
    ("Réparer un vélo", "Crevaison, freins, chaîne : je dépanne les vélos."),
    ("Baby-sitting", "Étudiante, je garde les enfants le soir en semaine."),
]


def fill_town() -> None:
    """10,000 posts, 2,000 residents, 20,000 messages, bulk-created (a few seconds)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from mutual_aid.models import Category, Conversation, Message, Post

    if Post.objects.count() >= POSTS and Message.objects.count() >= MESSAGES:
        log("The bench town is already filled")
        return
    log("Filling the bench town: residents, posts, conversations, messages")
    rng = random.Random(9)
    now = timezone.now()
    password = make_password("bench-entraide")
    with transaction.atomic():
        Message.objects.all().delete()
        Conversation.objects.all().delete()
        Post.objects.all().delete()
        User.objects.filter(email__endswith="@bench-entraide.example").delete()
        residents = User.objects.bulk_create(
            User(
                email=f"voisin{n}@bench-entraide.example",
                display_name=f"Voisin {n}",
                password=password,
                role=User.Role.RESIDENT,
            )
            for n in range(RESIDENTS)
        )
        categories = list(Category.objects.all())
        posts = []
        for n in range(POSTS):
            title, text = TOPICS[n % len(TOPICS)]
            created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 40))
            posts.append(
                Post(
                    kind=rng.choice(["offer", "request"]),
                    category=categories[n % len(categories)],
                    author=residents[rng.randrange(RESIDENTS)],
                    title=f"{title} ({n})",
                    description=text,
                    created_at=created,
                    expires_at=created + timedelta(days=30),
                )
            )
        posts = Post.objects.bulk_create(posts, batch_size=2000)
        conversations = []
        for post in posts[: MESSAGES // 2]:
            respondent = residents[rng.randrange(RESIDENTS)]
            if respondent.pk == post.author_id:
                respondent = residents[(residents.index(respondent) + 1) % RESIDENTS]
            conversations.append(
                Conversation(
                    post=post,
                    post_title=post.title,
                    author_id=post.author_id,
                    respondent=respondent,
                    created_at=post.created_at + timedelta(hours=2),
                    last_message_at=post.created_at + timedelta(hours=3),
                )
            )
        conversations = Conversation.objects.bulk_create(conversations, batch_size=2000)
        messages = []
        for conversation in conversations:
            messages.append(
                Message(
                    conversation=conversation,
                    sender_id=conversation.respondent_id,
                    body="Bonjour, je peux vous aider samedi.",
                    created_at=conversation.created_at,
                )
            )
            messages.append(
                Message(
                    conversation=conversation,
                    sender_id=conversation.author_id,
                    body="Merci, avec plaisir !",
                    created_at=conversation.last_message_at,
                )
            )
        Message.objects.bulk_create(messages, batch_size=4000)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics for the planner, as autovacuum would
        cursor.execute("ANALYZE")
    log(f"Filled: {POSTS} posts, {RESIDENTS} residents, {len(messages)} messages")


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
        schema, host = ensure_bench_town(
            slug=SLUG, name="Entraide-sur-Banc", official_code=OFFICIAL_CODE, fill=fill_town
        )
        cookie = resident_cookie(schema, host, "voisin1@bench-entraide.example")
        pages = {"list": LIST_PATH, "search": SEARCH_PATH}
        counts = {}
        for name, path in pages.items():
            counts[name], sql = queries_of(path, host, cookie, MARKER)
            log(f"[{name}] {counts[name]} SQL queries per request:"
                + "".join(f"\n    {query[:150]}" for query in sql))  # fmt: skip
        results = measure_pages(
            wrk, pages, host=host, cookie=cookie, marker=MARKER, args=args, label="mutual-aid"
        )
    except BenchError as error:
        log(f"mutual_aid_list: {error}")
        return 1
    except KeyboardInterrupt:
        log("mutual_aid_list: interrupted")
        return 130
    emit("mutual_aid_list_p95_ms", results["list"].p95_ms, digits=1)
    emit("mutual_aid_search_p95_ms", results["search"].p95_ms, digits=1)
    emit("mutual_aid_list_queries", counts["list"])
    emit("mutual_aid_search_queries", counts["search"])
    emit("mutual_aid_list_rps", results["list"].rps, digits=1)
    emit("mutual_aid_search_rps", results["search"].rps, digits=1)
    for name, latency in results.items():
        if latency.cpu_ms is not None:
            emit(f"mutual_aid_{name}_cpu_ms_per_request", latency.cpu_ms, digits=1)
    for name, latency in results.items():
        if latency.p95_ms >= TARGET_MS:
            log(f"mutual_aid_{name}_p95_ms {latency.p95_ms:.1f} is over the {TARGET_MS} ms target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
