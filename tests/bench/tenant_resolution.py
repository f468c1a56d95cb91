"""What resolving the tenant from the Host costs, per request, under load.

Run from the repository root:  .venv/bin/python tests/bench/tenant_resolution.py [--help]

The same trivial view (a short text response, no database access) is served by three gunicorn
servers (2 sync workers each) with the project's settings, DEBUG off, and only the tenant
middleware changed (see _tenant_bench_settings.py): `plain` (none), `ours`
(tenants.middleware.TenantMiddleware) and `stock` (django-tenants' TenantMainMiddleware).
wrk loads one server at a time with the same parameters and the same `Host: bench.<ROOT_DOMAIN>`
header: a warmup each, then ROUNDS rounds measuring the three in turn (rotating order); each
variant's best measure is kept. Figures go to stdout, one `name: value` line each:

    plain_rps                   requests/s without tenant middleware
    tenant_rps                  requests/s with ours
    tenant_resolution_ratio     tenant_rps / plain_rps (target: >= 0.8)
    stock_rps                   requests/s with django-tenants' middleware
    stock_django_tenants_ratio  stock_rps / plain_rps (for reference)
    plain_cpu_us_per_request    CPU time of the gunicorn workers per request (Linux only) ...
    tenant_cpu_us_per_request   ... with ours
    stock_cpu_us_per_request    ... with stock (PostgreSQL's own CPU time not included)
    tenant_cpu_ratio            plain_cpu_us_per_request / tenant_cpu_us_per_request
    tenant_queries_per_request  SQL queries of one request with ours, in steady state (want 0)
    stock_queries_per_request   the same with stock

Everything else goes to stderr. Exits 1 if a server does not start, a server answers the
probe wrongly, or any response under load is not 2xx/3xx (or times out).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass

from _bench_support import (
    BENCH_DIR,
    REPO,
    BenchError,
    LoadOptions,
    Measurement,
    ServerOptions,
    bench_environment,
    emit,
    gunicorn,
    install_cleanup,
    log,
    measure,
    require_wrk,
    setup_django,
    warm_up,
)

BENCH_SLUG = "bench"
BENCH_OFFICIAL_CODE = "00000"  # no département 00: never a real commune
SETTINGS_MODULE = "_tenant_bench_settings"
VARIANTS = ("plain", "ours", "stock")
TARGET_RATIO = 0.8


def ensure_bench_tenant() -> tuple[str, str]:
    """The bench town's (schema, host), provisioned on first use. Runs in the public schema."""
    from django.db import DatabaseError

    try:
        return _ensure_bench_tenant()
    except DatabaseError as error:
        raise BenchError(
            f"Could not prepare the bench town: {error}\n"
            "Is the database migrated? `make setup`, or `.venv/bin/python manage.py"
            " migrate_schemas --shared` then `migrate_schemas --tenant`."
        ) from error


def _ensure_bench_tenant() -> tuple[str, str]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from tenants.models import Collectivite, Domain
    from tenants.services import provision_collectivite, set_status

    connection.set_schema_to_public()  # type: ignore[attr-defined]  # django-tenants
    if Collectivite._meta.db_table not in connection.introspection.table_names():
        log("The public schema is not migrated: migrate_schemas --shared")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)

    host = f"{BENCH_SLUG}.{settings.ROOT_DOMAIN}"
    town = Collectivite.objects.filter(slug=BENCH_SLUG).first()
    if town is None:
        log(f"Provisioning the bench town ({host})")
        town = provision_collectivite(
            name="Banc d'essai", kind="commune", official_code=BENCH_OFFICIAL_CODE, slug=BENCH_SLUG
        )
    if town.status != Collectivite.Status.READY:
        log(f"The bench town was {town.status}: reopening it")
        set_status(town, Collectivite.Status.READY)
    if not Domain.objects.filter(domain=host, tenant=town).exists():
        raise BenchError(f"{host} does not belong to the collectivité {BENCH_SLUG!r}.")
    connection.close()  # the servers are separate processes; this one stays idle
    return town.schema_name, host


@dataclass(frozen=True)
class Figures:
    rps: float  # the best measure's (see _summarize)
    cpu_us_per_request: float | None  # gunicorn workers' CPU time per request, the lowest
    pooled_rps: float  # all requests of all measures / all their seconds
    queries_per_request: float  # SQL queries of one bench request, in steady state


def count_queries(variant: str, host: str) -> float:
    """SQL queries per bench request with this variant's settings (in a process of its own)."""
    completed = subprocess.run(
        [sys.executable, str(BENCH_DIR / "_tenant_bench_probe.py"), host],
        env=bench_environment(SETTINGS_MODULE, PLACETTE_BENCH_VARIANT=variant),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if completed.returncode != 0:
        raise BenchError(f"[{variant}] the query probe failed:\n{completed.stderr[-3000:]}")
    probe = json.loads(completed.stdout.strip().splitlines()[-1])
    queries = float(probe["queries_per_request"])
    log(
        f"[{variant}] {queries:g} SQL queries per request"
        + "".join(f"\n    {sql[:160]}" for sql in probe["sql"])
    )
    return queries


def run_benchmark(args: argparse.Namespace) -> dict[str, Figures]:
    wrk = require_wrk()
    setup_django()
    schema, host = ensure_bench_tenant()
    from _tenant_bench_urls import BENCH_PATH

    options = ServerOptions(
        workers=args.workers, worker_class=args.worker_class, threads=args.threads
    )
    load = LoadOptions(
        threads=args.wrk_threads,
        connections=args.connections,
        duration=args.duration,
        warmup=args.warmup,
    )
    log(f"gunicorn {options}; wrk {load}; Host: {host}; {args.rounds} round(s)")
    expected_schema = {"plain": "public", "ours": schema, "stock": schema}
    queries = {variant: count_queries(variant, host) for variant in VARIANTS}
    if queries["ours"] > queries["plain"]:
        log(
            "WARNING: with TenantMiddleware a request makes SQL queries that the plain stack"
            " does not (listed above): the host -> tenant cache is not doing its job."
        )
    samples: dict[str, list[Measurement]] = {variant: [] for variant in VARIANTS}
    with ExitStack() as stack:
        # The three servers are up from the start and loaded one at a time, in turn, round
        # after round, in a rotating order (the idle ones cost nothing): a change in the
        # machine's load during the run hits every variant alike.
        servers = {
            variant: stack.enter_context(
                gunicorn(
                    env=bench_environment(SETTINGS_MODULE, PLACETTE_BENCH_VARIANT=variant),
                    options=options,
                    probe_path=BENCH_PATH,
                    probe_host=host,
                    expect_body=expected_schema[variant],
                    label=variant,
                )
            )
            for variant in VARIANTS
        }
        for variant in VARIANTS:
            warm_up(wrk, servers[variant], BENCH_PATH, host, load, variant)
        for index in range(args.rounds):
            shift = index % len(VARIANTS)
            for variant in VARIANTS[shift:] + VARIANTS[:shift]:
                label = f"{variant} {index + 1}/{args.rounds}"
                samples[variant].append(
                    measure(wrk, servers[variant], BENCH_PATH, host, load, label)
                )
    ratios = [
        ours.requests_per_second / plain.requests_per_second
        for ours, plain in zip(samples["ours"], samples["plain"], strict=True)
    ]
    log(f"ours/plain round by round: {', '.join(f'{ratio:.2f}' for ratio in ratios)}")
    figures = {variant: _summarize(values, queries[variant]) for variant, values in samples.items()}
    log(
        "pooled over all rounds (more sensitive to the machine's other load):"
        + "".join(f" {variant} {figures[variant].pooled_rps:.1f} req/s," for variant in VARIANTS)
        + f" ours/plain {figures['ours'].pooled_rps / figures['plain'].pooled_rps:.2f}"
    )
    return figures


def _summarize(measurements: list[Measurement], queries: float) -> Figures:
    """Keep each variant's best measure: what the server does when nothing else disturbs it.

    Whatever else runs on the machine can only slow a measure down, by a lot and at random
    (a shared machine often halves a 6 s measure); the best of several measures taken in turn
    is far steadier than their mean.
    """
    requests = sum(m.requests for m in measurements)
    seconds = sum(m.seconds for m in measurements)
    cpu = [m.cpu_seconds / m.requests * 1e6 for m in measurements if m.cpu_seconds is not None]
    return Figures(
        rps=max(m.requests_per_second for m in measurements),
        cpu_us_per_request=min(cpu) if len(cpu) == len(measurements) else None,
        pooled_rps=requests / seconds,
        queries_per_request=queries,
    )


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers [2]")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class [sync]")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker [1]")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk -t [2]")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c [16]")
    parser.add_argument("--duration", type=int, default=3, help="seconds per measure [3]")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warmup [2]")
    parser.add_argument(
        "--rounds", type=int, default=8, help="measures of each variant, the best kept [8]"
    )
    parser.add_argument(
        "--fail-below",
        type=float,
        default=None,
        metavar="RATIO",
        help="exit 2 when tenant_resolution_ratio is below RATIO (default: only warn)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    install_cleanup()
    try:
        figures = run_benchmark(args)
    except BenchError as error:
        log(f"tenant_resolution: {error}")
        return 1
    except KeyboardInterrupt:
        log("tenant_resolution: interrupted")
        return 130
    plain, ours, stock = figures["plain"], figures["ours"], figures["stock"]
    ratio = ours.rps / plain.rps
    emit("plain_rps", plain.rps, digits=1)
    emit("tenant_rps", ours.rps, digits=1)
    emit("tenant_resolution_ratio", ratio)
    emit("stock_rps", stock.rps, digits=1)
    emit("stock_django_tenants_ratio", stock.rps / plain.rps)
    if plain.cpu_us_per_request and ours.cpu_us_per_request and stock.cpu_us_per_request:
        emit("plain_cpu_us_per_request", plain.cpu_us_per_request, digits=0)
        emit("tenant_cpu_us_per_request", ours.cpu_us_per_request, digits=0)
        emit("stock_cpu_us_per_request", stock.cpu_us_per_request, digits=0)
        emit("tenant_cpu_ratio", plain.cpu_us_per_request / ours.cpu_us_per_request)
    emit("tenant_queries_per_request", ours.queries_per_request, digits=1)
    emit("stock_queries_per_request", stock.queries_per_request, digits=1)
    if ratio < TARGET_RATIO:
        log(f"tenant_resolution_ratio {ratio:.2f} is below the {TARGET_RATIO} target")
    if args.fail_below is not None and ratio < args.fail_below:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
