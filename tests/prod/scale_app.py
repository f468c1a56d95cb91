"""The app's side of `make prod-check-scale` (tests/prod/scale.py), with production's settings.

    python tests/prod/scale_app.py clone START COUNT BATCH   towns START..START+COUNT-1 made by
                                                           provisioning (tenants.services), BATCH
                                                           to a transaction; their timings
    python tests/prod/scale_app.py provision SAMPLES        SAMPLES trials asked and confirmed
                                                           through onboarding's service; ms each
    python tests/prod/scale_app.py standard SCHEMAS         a no-op migrate of that many towns with
                                                           django-tenants' standard executor; s
    python tests/prod/scale_app.py visit TOWNS              one connection renders TOWNS towns'
                                                           home page; its backend's memory
    python tests/prod/scale_app.py columns TABLE COLUMN     towns whose TABLE has COLUMN, of all
    python tests/prod/scale_app.py towns COUNT              COUNT open towns' subdomains, at random

Each prints one JSON object on its last line of stdout.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(os.environ.get("PLACETTE_APP") or Path(__file__).resolve().parents[2])
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

FILLER = "scale-"


def clone(start: int, count: int, batch: int) -> dict[str, Any]:
    """Towns made as onboarding makes them (provision_collectivite: the template cloned, the
    domain, the new town's set-up; then the trial), BATCH of them to a transaction: a commit
    per town costs a WAL flush each, and one backend making hundreds of schemas keeps their
    catalog entries, so each batch gets a new connection."""
    from billing.services import start_trial
    from tenants.services import provision_collectivite

    started = time.perf_counter()
    batches = []
    for first in range(start, start + count, batch):
        began = time.perf_counter()
        numbers = range(first, min(first + batch, start + count))
        with transaction.atomic():
            for number in numbers:
                town = provision_collectivite(
                    name=f"Essai {number}",
                    kind="commune",
                    official_code=f"S{number:06d}",
                    slug=f"{FILLER}{number}",
                )
                start_trial(town)
        batches.append((time.perf_counter() - began) * 1000 / len(numbers))
        connection.close()
    return {
        "seconds": time.perf_counter() - started,
        "ms_per_town_median": statistics.median(batches),
    }


def provision(samples: int) -> dict[str, Any]:
    """Trials asked and confirmed through onboarding's service, the path a mayor's click takes
    (schema cloned, domain, admin, trial, legal acceptances, staff told); each on a new
    connection, as a web request would find its worker's."""
    from django.db.models import Q

    from onboarding import services
    from onboarding.claims import Signer
    from onboarding.directory import find
    from onboarding.legal import PROCESSING_AGREEMENT, TERMS
    from tenants.models import Collectivite, Commune

    used = set(Collectivite.objects.values_list("official_code", flat=True))
    asked = set(services.SignupRequest.objects.values_list("official_code", flat=True))
    free = Commune.objects.filter(~Q(insee_code__in=used | asked), population__gte=200)
    communes = list(free.order_by("insee_code").only("insee_code")[: samples * 3])
    durations: list[float] = []
    for commune in communes:
        if len(durations) == samples:
            break
        entry = find("commune", commune.insee_code)
        if entry is None:
            continue
        slug = services.proposed_slug(entry)
        if services.slug_problem(slug):
            continue
        services.request_trial(
            entry=entry,
            slug=slug,
            signer=Signer(
                name="Maire",
                role="maire",
                role_other="",
                email=f"maire@{slug}.scale.test",
                phone="0102030405",
            ),
            terms_version=TERMS.current.id,
            dpa_version=PROCESSING_AGREEMENT.current.id,
        )
        token = _token_for(slug)
        connection.close()
        began = time.perf_counter()
        services.confirm_trial(token)
        durations.append((time.perf_counter() - began) * 1000)
    return {"ms": durations, "median_ms": statistics.median(durations)}


def _token_for(slug: str) -> str:
    """A known confirmation token for the request just made (the real one was mailed)."""
    from accounts.tokens import token_hash
    from onboarding import services

    signup = services.SignupRequest.objects.get(slug=slug, confirmed_at__isnull=True)
    token = f"scale-{slug}"
    signup.token_hash = token_hash(token, purpose=services.TRIAL_PURPOSE, schema="public")
    signup.save(update_fields=["token_hash"])
    return token


def standard(count: int) -> dict[str, Any]:
    """django-tenants' standard executor over `count` towns with nothing to apply, at the
    release step's verbosity: what every release paid per town before --executor=placette."""
    from io import StringIO

    from django.core.management import call_command

    from tenants.models import Collectivite

    schemas = Collectivite.objects.order_by("pk").values_list("schema_name", flat=True)[:count]
    began = time.perf_counter()
    for schema_name in schemas:
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=schema_name,
            executor="standard",
            interactive=False,
            skip_checks=True,
            stdout=StringIO(),
        )
    seconds = time.perf_counter() - began
    return {"schemas": len(schemas), "seconds": seconds, "ms_per_town": seconds * 1000 / count}


def _backend_memory_kb() -> tuple[int, int]:
    """The backend's resident memory (VmRSS: shared buffers it touched included) and its own
    (RssAnon: its caches, what grows with the schemas it visits)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(status["VmRSS"].split()[0]), int(status["RssAnon"].split()[0])


def visit(count: int) -> dict[str, Any]:
    """One connection renders the home page of `count` towns in turn (Django's test client,
    production settings, in this process): its backend's resident memory before and after,
    from /proc/<pid>/status, pid from pg_backend_pid()."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tenants.models import Collectivite

    slugs = list(
        Collectivite.objects.filter(status="ready")
        .order_by("?")
        .values_list("slug", flat=True)[:count]
    )
    connection.close()
    connection.ensure_connection()
    fresh, fresh_private = _backend_memory_kb()
    queries = []
    began = time.perf_counter()
    for number, slug in enumerate(slugs, start=1):
        client = Client(HTTP_HOST=f"{slug}.{settings.ROOT_DOMAIN}")
        if number <= 20:  # the queries of a page, counted on the first few
            with CaptureQueriesContext(connection) as captured:
                response = client.get("/", secure=True)
            queries.append(len(captured.captured_queries))
        else:
            response = client.get("/", secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"{slug}'s home page answered {response.status_code}")
        if number in (1, 10, 100, 500):
            rss, private = _backend_memory_kb()
            print(
                f"after {number}: {rss / 1024:.0f} MB ({private / 1024:.0f} MB own)",
                file=sys.stderr,
            )
    seconds = time.perf_counter() - began
    after, private = _backend_memory_kb()
    return {
        "towns": len(slugs),
        "fresh_rss_mb": fresh / 1024,
        "rss_mb": after / 1024,
        "fresh_private_mb": fresh_private / 1024,
        "private_mb": private / 1024,
        "queries_per_page": statistics.median(queries),
        "seconds": seconds,
    }


def columns(table: str, column: str) -> dict[str, Any]:
    """How many towns' schemas have `table`.`column`, and how many towns there are."""
    from tenants.models import Collectivite

    schemas = set(Collectivite.objects.values_list("schema_name", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_attribute a ON a.attrelid = c.oid"
            " WHERE c.relname = %s AND a.attname = %s AND NOT a.attisdropped",
            [table, column],
        )
        having = {row[0] for row in cursor.fetchall()}
    return {"towns": len(schemas), "with_column": len(schemas & having)}


def towns(count: int) -> dict[str, Any]:
    from tenants.models import Collectivite

    ready = Collectivite.objects.filter(status="ready").order_by("?")
    return {
        "total": Collectivite.objects.count(),
        "slugs": list(ready.values_list("slug", flat=True)[:count]),
    }


def main() -> int:
    command, *args = sys.argv[1:]
    if command == "clone":
        result = clone(*(int(a) for a in args))
    elif command == "provision":
        result = provision(int(args[0]))
    elif command == "standard":
        result = standard(int(args[0]))
    elif command == "visit":
        result = visit(int(args[0]))
    elif command == "columns":
        result = columns(*args)
    elif command == "towns":
        result = towns(int(args[0]))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
