"""How many answers a consultation takes per second from 50 residents at once, none lost and
none counted twice.

Run from the repository root:  .venv/bin/python tests/bench/consultation_answers.py [--help]

One town (slug `bench-consultation`) with 1,000 residents and an open consultation of eight
questions (single and multiple choice, ranking, scale, yes/no, number, date, a text) is
served by gunicorn with the project's settings, DEBUG off, as the other page benches serve
theirs. 50 client threads, each a logged-in resident in turn, post the answer form as a
browser does (CSRF token, session cookie): every resident sends an answer, then changes it.
Previous answers are removed first, so each run counts its own. Figures on stdout:

    consultation_answer_throughput      answers accepted per second (sent and changed)
    consultation_answers_lost           residents whose last answer is not the one stored
    consultation_answers_duplicated     answers stored beyond one per resident
    consultation_answer_p95_ms          95th percentile latency of one answer

Exits 1 if the server does not start, any answer is refused (not a redirect to the
confirmation page), or an answer is lost or duplicated.
"""

from __future__ import annotations

import argparse
import http.client
import secrets
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from _bench_support import (
    BenchError,
    ServerOptions,
    bench_environment,
    emit,
    gunicorn,
    install_cleanup,
    log,
    setup_django,
)
from _page_load import add_load_arguments, ensure_bench_town

SLUG = "bench-consultation"
OFFICIAL_CODE = "00008"  # no département 00: never a real commune
RESIDENTS = 1_000
EMAIL = "habitant{n}@bench-consultation.example"
TITLE = "Banc d'essai : la place du marché"


def fill_town() -> None:
    """1,000 residents and the open consultation (made once); its answers removed each run."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from participation.consultations.factories import (
        ConsultationFactory,
        QuestionFactory,
        SectionFactory,
    )
    from participation.consultations.models import Consultation, ConsultationQuestion

    kind = ConsultationQuestion.Kind
    with transaction.atomic():
        if User.objects.filter(email__endswith="@bench-consultation.example").count() < RESIDENTS:
            log("Making the bench town's residents")
            User.objects.filter(email__endswith="@bench-consultation.example").delete()
            password = make_password("bench-consultation")
            User.objects.bulk_create(
                User(email=EMAIL.format(n=n), display_name=f"Habitant {n}", password=password,
                     role=User.Role.RESIDENT)
                for n in range(RESIDENTS)
            )  # fmt: skip
        consultation = Consultation.objects.filter(title=TITLE).first()
        if consultation is None:
            log("Making the bench consultation")
            now = timezone.now()
            consultation = ConsultationFactory.create(
                title=TITLE, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=3650)
            )
            section = SectionFactory.create(consultation=consultation, title="Vos avis")
            specs: list[dict[str, Any]] = [
                {"kind": kind.SINGLE, "choices": ["À pied", "À vélo", "En bus"], "required": True},
                {"kind": kind.MULTIPLE, "choices": ["Marché", "Café", "Jeux"], "max_choices": 2},
                {"kind": kind.RANKING, "choices": ["Arbres", "Bancs", "Fontaine"]},
                {"kind": kind.SCALE, "scale_max": 10},
                {"kind": kind.YES_NO},
                {"kind": kind.NUMBER, "number_min": 0, "number_max": 14},
                {"kind": kind.DATE},
                {"kind": kind.LONG_TEXT},
            ]
            for number, spec in enumerate(specs):
                QuestionFactory.create(section=section, label=f"Question {number + 1}", **spec)
        consultation.responses.all().delete()
        consultation.drafts.all().delete()


@dataclass
class Resident:
    email: str
    cookie: str
    last_sent: dict[str, str] = field(default_factory=dict)


def residents_with_sessions(schema: str, host: str, csrf: str) -> list[Resident]:
    """Each resident's cookies: a session (logged in) and the CSRF cookie a browser holds."""
    from django.conf import settings
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import User

    made = []
    with schema_context(schema):
        users = User.objects.filter(email__endswith="@bench-consultation.example").order_by("pk")
        for user in users[:RESIDENTS]:
            client = Client(HTTP_HOST=host)
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            cookie = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"
            made.append(Resident(user.email, cookie))
    return made


def form_of(schema: str) -> tuple[str, list[tuple[str, str]]]:
    """The consultation's key and (field name, kind) of its form, in order."""
    from django_tenants.utils import schema_context

    from participation.consultations.models import Consultation

    with schema_context(schema):
        consultation = Consultation.objects.get(title=TITLE)
        return consultation.key, [(q.field_name, q.kind) for q in consultation.questions.all()]


def answer(fields: list[tuple[str, str]], variant: int) -> list[tuple[str, str]]:
    """A valid answer; `variant` makes the first and the changed answer differ."""
    sent: list[tuple[str, str]] = [("action", "send")]
    for name, kind in fields:
        if kind == "single":
            sent.append((name, ["À pied", "À vélo", "En bus"][variant % 3]))
        elif kind == "multiple":
            sent += [(name, "Marché"), (name, ["Café", "Jeux"][variant % 2])]
        elif kind == "ranking":
            ranks = ["1", "2", "3"] if variant % 2 else ["3", "1", "2"]
            sent += [(f"{name}_r{i}", rank) for i, rank in enumerate(ranks)]
        elif kind == "scale":
            sent.append((name, str(variant % 11)))
        elif kind == "yes_no":
            sent.append((name, "yes" if variant % 2 else "no"))
        elif kind == "number":
            sent.append((name, str(variant % 15)))
        elif kind == "date":
            sent.append((name, "2026-11-2" + str(variant % 9)))
        else:
            sent.append((name, f"Réponse n° {variant}"))
    return sent


@dataclass
class Outcome:
    accepted: int = 0
    refused: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def post_answer(port: int, host: str, path: str, resident: Resident, csrf: str,
                body: str) -> tuple[int, str]:  # fmt: skip
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            path,
            body=body.encode(),
            headers={
                "Host": host,
                "Cookie": resident.cookie,
                "X-CSRFToken": csrf,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def run_clients(
    port: int,
    host: str,
    key: str,
    fields: list[tuple[str, str]],
    residents: list[Resident],
    csrf: str,
    clients: int,
) -> tuple[Outcome, float]:
    """`clients` threads; each takes its share of residents, each sends an answer then a
    change. Returns what happened and the seconds it took."""
    path = f"/consultations/{key}/"
    outcome = Outcome()
    start = threading.Barrier(clients + 1)

    def work(share: list[Resident], seed: int) -> None:
        start.wait()
        for number, resident in enumerate(share):
            for round_ in (0, 1):
                variant = seed * 7 + number * 3 + round_
                sent = answer(fields, variant)
                began = time.perf_counter()
                try:
                    status, location = post_answer(
                        port, host, path, resident, csrf, urllib.parse.urlencode(sent)
                    )
                except OSError as error:
                    status, location = 0, str(error)
                elapsed = time.perf_counter() - began
                with outcome.lock:
                    outcome.latencies.append(elapsed)
                    if status == 302 and location.endswith("/merci/"):
                        outcome.accepted += 1
                        resident.last_sent = {
                            name: value for name, value in sent if name != "action"
                        }
                    else:
                        outcome.refused.append(f"{resident.email}: {status} {location}")

    threads = [
        threading.Thread(target=work, args=(residents[n::clients], n)) for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return outcome, time.perf_counter() - began


def count_after(schema: str, residents: list[Resident]) -> tuple[int, int, int]:
    """(stored answers, lost, duplicated), from the database: lost are residents whose stored
    answer is not the last one they sent (or who have none)."""
    from collections import Counter

    from django.db import connections
    from django_tenants.utils import schema_context

    from participation.consultations.answer_form import AnswerForm
    from participation.consultations.models import Consultation

    connections.close_all()
    with schema_context(schema):
        consultation = Consultation.objects.get(title=TITLE)
        rows = list(consultation.responses.values_list("respondent__email", "answers"))
        stored: Counter[str | None] = Counter(email for email, _answers in rows)
        by_email = dict(rows)
        duplicated = sum(count - 1 for count in stored.values()) + stored.get(None, 0)
        lost = 0
        for resident in residents:
            if not resident.last_sent:
                continue  # refused: reported as such
            expected = _expected(AnswerForm, consultation, resident.last_sent)
            if by_email.get(resident.email) != expected:
                lost += 1
    return len(rows), lost, duplicated


def _expected(form_class: type, consultation: object, sent: dict[str, str]) -> object:
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for name, value in sent.items():
        data[name] = value
    # The multiple choice's two values (a dict kept only the last one): sent again as a list.
    for question in consultation.questions.all():  # type: ignore[attr-defined]
        if question.kind == "multiple":
            data.setlist(question.field_name, ["Marché", sent[question.field_name]])
    form = form_class(consultation, data)
    if not form.is_valid():
        raise BenchError(f"The bench's own answer is refused: {form.errors.as_text()}")
    return form.answers


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_load_arguments(parser)  # run_all.py may pass the page benches' options to every bench
    parser.add_argument("--clients", type=int, default=50, help="residents answering at once")
    parser.add_argument("--residents", type=int, default=RESIDENTS, help="residents in all")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    install_cleanup()
    try:
        setup_django()
        schema, host = ensure_bench_town(
            slug=SLUG, name="Consultation-sur-Banc", official_code=OFFICIAL_CODE, fill=fill_town
        )
        csrf = secrets.token_hex(16)  # a browser's CSRF cookie: 32 characters
        residents = residents_with_sessions(schema, host, csrf)[: args.residents]
        key, fields = form_of(schema)
        from django.db import connections

        connections.close_all()
        with gunicorn(
            env=bench_environment("config.settings", DB_CONN_MAX_AGE="60"),
            options=ServerOptions(workers=args.workers),
            probe_path="/",
            probe_host=host,
            label="consultation-answers",
        ) as server:
            log(f"{args.clients} residents at once, {len(residents)} in all, 2 answers each")
            outcome, seconds = run_clients(
                server.port, host, key, fields, residents, csrf, args.clients
            )
        stored, lost, duplicated = count_after(schema, residents)
    except BenchError as error:
        log(f"consultation_answers: {error}")
        return 1
    except KeyboardInterrupt:
        log("consultation_answers: interrupted")
        return 130
    log(f"{outcome.accepted} answers accepted in {seconds:.1f} s; {stored} stored "
        f"for {len(residents)} residents; {len(outcome.refused)} refused")  # fmt: skip
    for refusal in outcome.refused[:10]:
        log(f"  refused: {refusal}")
    emit("consultation_answer_throughput", outcome.accepted / seconds, digits=1)
    emit("consultation_answers_lost", lost)
    emit("consultation_answers_duplicated", duplicated)
    emit("consultation_answer_p95_ms", percentile(outcome.latencies, 0.95) * 1000, digits=1)
    if outcome.refused or lost or duplicated or stored != len(residents):
        log("consultation_answers: answers were refused, lost or duplicated")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
