"""A town's page under load: a resident's session, its SQL counted once, then wrk against
gunicorn with the project's settings. Shared by the page benchmarks (mutual_aid_list.py,
ideas_list.py)."""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from _bench_support import (
    BenchError,
    ServerOptions,
    bench_environment,
    gunicorn,
    log,
    parse_wrk,
)

# Prints wrk's latency percentiles (microseconds) after its own report.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("PERCENTILES %d %d %d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rps: float
    cpu_ms: float | None = None  # the workers' CPU time per request (Linux)


def ensure_bench_town(
    *, slug: str, name: str, official_code: str, fill: Callable[[], None]
) -> tuple[str, str]:
    """A bench town's (schema, host): provisioned, under trial and migrated, then `fill()` run
    in its schema (it fills the town on first use and returns at once after)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import DatabaseError, connection
    from django_tenants.utils import schema_context

    from billing.models import BillingAccount
    from billing.services import start_trial
    from tenants.models import Collectivite
    from tenants.services import provision_collectivite

    try:
        connection.set_schema_to_public()  # type: ignore[attr-defined]  # django-tenants
        if Collectivite._meta.db_table not in connection.introspection.table_names():
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        # New towns are cloned from the template schema with its migrations marked as done:
        # the template must have them all first (an older bench database's may not).
        call_command("migrate_tenant_template", verbosity=0)
        town = Collectivite.objects.filter(slug=slug).first()
        if town is None:
            log(f"Provisioning the bench town ({slug})")
            town = provision_collectivite(
                name=name, kind="commune", official_code=official_code, slug=slug
            )
        # A town made by an older run gets the migrations added since (indexes above all).
        call_command(
            "migrate_schemas", schema_name=town.schema_name, interactive=False, verbosity=0
        )
        if not BillingAccount.objects.filter(collectivite=town).exists():
            start_trial(town)  # a site under trial takes part, as a real one does
        with schema_context(town.schema_name):
            fill()
    except DatabaseError as error:
        raise BenchError(f"Could not prepare the bench town: {error} (run `make setup`)") from error
    return town.schema_name, f"{slug}.{settings.ROOT_DOMAIN}"


def resident_cookie(schema: str, host: str, email: str) -> str:
    """A `Cookie:` header value of this resident, logged in on the town's site."""
    from django.conf import settings
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import User

    with schema_context(schema):
        user = User.objects.filter(email=email).get()
        client = Client(HTTP_HOST=host)
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}"


def queries_of(path: str, host: str, cookie: str, marker: bytes) -> tuple[int, list[str]]:
    """SQL statements of one request in steady state (this process, the same settings)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=host, HTTP_COOKIE=cookie)
    client.get(path)  # the site's look and the session cached, as on a running server
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200 or marker not in response.content:
        raise BenchError(f"{path} answered {response.status_code} without {marker!r}")
    return len(captured), [query["sql"] for query in captured.captured_queries]


def load(wrk: str, port: int, path: str, host: str, cookie: str, args: argparse.Namespace,
         seconds: int) -> Latency:  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = [
        wrk, f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{seconds}s",
        "--timeout", "10s", "-s", script.name,
        "-H", f"Host: {host}", "-H", f"Cookie: {cookie}",
        f"http://127.0.0.1:{port}{path}",
    ]  # fmt: skip
    try:
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        Path(script.name).unlink(missing_ok=True)
    if completed.returncode != 0:
        raise BenchError(f"wrk failed ({completed.returncode}):\n{completed.stderr}")
    result = parse_wrk(completed.stdout)
    if result.non_2xx_3xx or result.socket_errors.get("timeout") or not result.requests:
        raise BenchError(f"{path}: errors under load, the figures would mean nothing:\n"
                         f"{completed.stdout}")  # fmt: skip
    found = re.search(r"^PERCENTILES (\d+) (\d+) (\d+)$", completed.stdout, re.MULTILINE)
    if found is None:
        raise BenchError(f"Could not read wrk's percentiles:\n{completed.stdout}")
    p50, p95, p99 = (int(value) / 1000 for value in found.groups())
    return Latency(p50, p95, p99, result.requests_per_second)


def check_page(port: int, path: str, host: str, cookie: str, marker: bytes) -> None:
    """The server shows the page to the resident (not a login page, not an error)."""
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"http://127.0.0.1:{port}{path}", headers={"Host": host, "Cookie": cookie}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        page = response.read()
        if response.status != 200 or marker not in page or response.url.endswith("login/"):
            raise BenchError(f"{path} does not show {marker!r} to the logged-in resident")


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measure")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="measures per page (best kept)")


def measure_pages(
    wrk: str,
    pages: dict[str, str],
    *,
    host: str,
    cookie: str,
    marker: bytes,
    args: argparse.Namespace,
    label: str,
) -> dict[str, Latency]:
    """Each page (name -> path) loaded by wrk through gunicorn: the best of `--rounds`."""
    from django.db import connections

    connections.close_all()
    results: dict[str, Latency] = {}
    with gunicorn(
        # Connections kept between requests, as production keeps them (DB_CONN_MAX_AGE).
        env=bench_environment("config.settings", DB_CONN_MAX_AGE="60"),
        options=ServerOptions(workers=args.workers),
        probe_path="/",
        probe_host=host,
        label=label,
    ) as server:
        for name, path in pages.items():
            check_page(server.port, path, host, cookie, marker)
            load(wrk, server.port, path, host, cookie, args, args.warmup)
            measures = []
            for _round in range(args.rounds):
                cpu_before = server.workers_cpu_seconds()
                measure = load(wrk, server.port, path, host, cookie, args, args.duration)
                cpu_after = server.workers_cpu_seconds()
                if cpu_before is not None and cpu_after is not None:
                    requests = measure.rps * args.duration
                    cpu_ms = (cpu_after - cpu_before) * 1000 / max(requests, 1)
                    measure = replace(measure, cpu_ms=cpu_ms)
                measures.append(measure)
                log(f"[{name}] p50 {measure.p50_ms:.1f} ms, p95 {measure.p95_ms:.1f} ms, "
                    f"p99 {measure.p99_ms:.1f} ms, {measure.rps:.0f} req/s, "
                    f"{measure.cpu_ms or 0:.1f} ms CPU/request")  # fmt: skip
            # Other work on a shared machine only slows a measure down: keep the best.
            results[name] = min(measures, key=lambda measure: measure.p95_ms)
    return results
