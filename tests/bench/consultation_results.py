"""How fast a consultation's results answer, under load, for 20 questions and 5,000 answers.

Run from the repository root:  .venv/bin/python tests/bench/consultation_results.py [--help]

One town (slug `bench-resultats`) with a closed consultation of 20 questions of every kind and
5,000 answers (a tenth on paper, most from one of three neighbourhoods), its results published
and a hundred written answers reviewed (bulk-created on first run, then reused), is served by
gunicorn with the project's settings, DEBUG off, as tests/bench/ideas_list.py serves its town.
wrk sends 8 concurrent connections, with a logged-in resident's session, to the published
results and to one neighbourhood's; then, with an admin's session, to staff's live results.
Figures on stdout:

    consultation_results_p95_ms           95th percentile latency of the published results
                                          page (target < 50 ms)
    consultation_results_filtered_p95_ms  the same, one neighbourhood's results
    consultation_results_staff_p95_ms     staff's live results page
    consultation_results_queries          SQL statements of one published page request, in
                                          steady state (the results come from the cache)
    consultation_results_cold_ms          one published page computed with the cache emptied
                                          (what the first reader after an answer waits)
    consultation_results_rps              requests/s on the published page (for reference)
    consultation_results_*_cpu_ms_per_request  the workers' CPU time per request (Linux)

Exits 1 if a server does not start, a page does not show the charts, or any response under
load is not 2xx.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from typing import Any

from _bench_support import BenchError, emit, install_cleanup, log, require_wrk, setup_django
from _page_load import (
    add_load_arguments,
    ensure_bench_town,
    measure_pages,
    queries_of,
    resident_cookie,
)

SLUG = "bench-resultats"
OFFICIAL_CODE = "00007"  # no département 00: never a real commune
KEY = "bench-resultats-20q"
ANSWERS, QUESTIONS, REVIEWED = 5_000, 20, 100
TARGET_MS = 50.0
MARKER = b'class="chart"'
RESIDENT = "habitante@bench-resultats.example"
ADMIN = "mairie@bench-resultats.example"
KINDS = [
    "single", "multiple", "ranking", "scale", "yes_no", "number", "date", "short_text",
    "long_text", "single",
]  # fmt: skip
CHOICE_KINDS = ("single", "multiple", "ranking")
WORDS = ["Plus d’arbres", "Des bancs", "Une fontaine", "Moins de voitures", "Un marché"]


def _answer(question: Any, rng: random.Random) -> Any:
    kind = question.kind
    if kind == "single":
        return rng.choice(question.choices)
    if kind == "multiple":
        return rng.sample(question.choices, rng.randint(1, 2))
    if kind == "ranking":
        return rng.sample(question.choices, len(question.choices))
    if kind == "scale":
        return str(rng.randint(0, 10))
    if kind == "yes_no":
        return rng.choice(["yes", "no"])
    if kind == "number":
        return str(rng.randint(0, 14))
    if kind == "date":
        return f"2026-11-{rng.randint(1, 28):02d}"
    return f"{rng.choice(WORDS)}, {rng.randint(1, 999)}"


def fill_town() -> None:
    """The consultation, its 20 questions, 5,000 answers and the reviews, bulk-created."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from participation.consultations.models import (
        Consultation,
        ConsultationQuestion,
        ConsultationResponse,
        ConsultationSection,
        ConsultationTextReview,
    )
    from townsite.models import Neighbourhood

    for email, role in ((RESIDENT, User.Role.RESIDENT), (ADMIN, User.Role.ADMIN)):
        if not User.objects.filter(email=email).exists():
            User.objects.create_user(
                email=email, password="bench-resultats", display_name=email, role=role
            )
    found = Consultation.objects.filter(key=KEY).first()
    if found is not None and found.responses.count() >= ANSWERS:
        log("The bench town is already filled")
        return
    log("Filling the bench town: a consultation, 20 questions, 5,000 answers")
    rng = random.Random(20)
    now = timezone.now()
    with transaction.atomic():
        Consultation.objects.filter(key=KEY).delete()
        places = [
            Neighbourhood.objects.get_or_create(name=name, defaults={"position": n})[0]
            for n, name in enumerate(["Centre", "Les Prés", "La Gare"])
        ]
        consultation = Consultation.objects.create(
            key=KEY,
            title="Réaménagement du centre-bourg",
            opens_at=now - timedelta(days=40),
            closes_at=now - timedelta(days=1),
            published_at=now - timedelta(days=41),
            results_published_at=now,
        )
        section = ConsultationSection.objects.create(consultation=consultation, title="Vos avis")
        choices = ["Le matin", "Le midi", "L’après-midi", "Le soir", "Le week-end"]
        questions = [
            ConsultationQuestion.objects.create(
                consultation=consultation,
                section=section,
                kind=KINDS[n % len(KINDS)],
                label=f"Question {n + 1} : que pensez-vous du projet ?",
                position=n,
                choices=choices if KINDS[n % len(KINDS)] in CHOICE_KINDS else [],
                scale_max=10,
            )
            for n in range(QUESTIONS)
        ]  # fmt: skip
        responses = ConsultationResponse.objects.bulk_create(
            (
                ConsultationResponse(
                    consultation=consultation,
                    browser_key=f"bench-{n}",
                    neighbourhood=places[n % 4] if n % 4 < 3 else None,
                    channel="paper" if n % 10 == 0 else "online",
                    answers={str(q.pk): _answer(q, rng) for q in questions},
                )
                for n in range(ANSWERS)
            ),
            batch_size=1000,
        )
        texts = [q for q in questions if q.kind in ("short_text", "long_text")]
        ConsultationTextReview.objects.bulk_create(
            ConsultationTextReview(
                response=response,
                question=question,
                text=response.answers[str(question.pk)],
                decision="published" if n % 5 else "withheld",
            )
            for n, (response, question) in enumerate(
                (response, question) for response in responses[:REVIEWED] for question in texts
            )
        )
    with connection.cursor() as cursor:  # fresh statistics for the planner, as autovacuum would
        cursor.execute("ANALYZE")
    log(f"Filled: {QUESTIONS} questions, {ANSWERS} answers")


def cold_ms(schema: str, host: str, cookie: str, path: str) -> float:
    """One request computed from the database (the results' version forgotten)."""
    from django.core.cache import cache
    from django.test import Client
    from django_tenants.utils import schema_context

    from participation.consultations.models import Consultation
    from participation.consultations.results_cache import version_key

    with schema_context(schema):
        pk = Consultation.objects.get(key=KEY).pk
        client = Client(HTTP_HOST=host, HTTP_COOKIE=cookie)
        client.get(path)
        best = float("inf")
        for _round in range(3):
            cache.delete(version_key(pk))
            started = time.perf_counter()
            response = client.get(path)
            best = min(best, (time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise BenchError(f"{path} answered {response.status_code}")
    return best


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
            slug=SLUG, name="Résultats-sur-Place", official_code=OFFICIAL_CODE, fill=fill_town
        )
        from django_tenants.utils import schema_context

        from participation.consultations.models import Consultation
        from townsite.models import Neighbourhood

        with schema_context(schema):
            centre = Neighbourhood.objects.get(name="Centre").pk
            pk = Consultation.objects.get(key=KEY).pk
        resident = resident_cookie(schema, host, RESIDENT)
        admin = resident_cookie(schema, host, ADMIN)
        path = f"/consultations/{KEY}/resultats/"
        public = {"published": path, "filtered": f"{path}?quartier={centre}"}
        staff_path = f"/administration/consultations/{pk}/resultats/"
        queries, sql = queries_of(path, host, resident, MARKER)
        log(f"[published] {queries} SQL queries per request:"
            + "".join(f"\n    {query[:150]}" for query in sql))  # fmt: skip
        cold = cold_ms(schema, host, resident, path)
        log(f"[published] computed from the database: {cold:.1f} ms")
        results = measure_pages(
            wrk, public, host=host, cookie=resident, marker=MARKER, args=args, label="results"
        )
        results |= measure_pages(
            wrk, {"staff": staff_path}, host=host, cookie=admin, marker=MARKER, args=args,
            label="results-staff",
        )  # fmt: skip
    except BenchError as error:
        log(f"consultation_results: {error}")
        return 1
    except KeyboardInterrupt:
        log("consultation_results: interrupted")
        return 130
    emit("consultation_results_p95_ms", results["published"].p95_ms, digits=1)
    emit("consultation_results_filtered_p95_ms", results["filtered"].p95_ms, digits=1)
    emit("consultation_results_staff_p95_ms", results["staff"].p95_ms, digits=1)
    emit("consultation_results_queries", queries)
    emit("consultation_results_cold_ms", cold, digits=1)
    emit("consultation_results_rps", results["published"].rps, digits=1)
    for name, latency in results.items():
        if latency.cpu_ms is not None:
            emit(f"consultation_results_{name}_cpu_ms_per_request", latency.cpu_ms, digits=1)
    for name, latency in results.items():
        if latency.p95_ms >= TARGET_MS:
            log(f"consultation_results {name} p95 {latency.p95_ms:.1f} ms is over {TARGET_MS} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
