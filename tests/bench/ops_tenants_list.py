"""How fast the ops console's tenants list answers with 36,000 collectivités.

Run from the repository root:  .venv/bin/python tests/bench/ops_tenants_list.py [--help]

36,000 Collectivite rows (every French commune, roughly), each with its billing account and its
subdomain, a third of them with figures (ops.TenantFigures), are bulk-created in the public
schema of the bench database on first run, then reused; no town schema is made for them. A
staff member with TOTP set up is signed in on the root domain; gunicorn serves the project's
settings, DEBUG off, and wrk loads three pages of /ops/tenants/collectivite/. Figures on stdout:

    ops_tenants_list_ms        95th percentile latency of the first page (target < 100 ms)
    ops_tenants_search_ms      the same for a search (?q=, by name, code, subdomain, email)
    ops_tenants_filtered_ms    the same for a filtered page (suspended, sorted by creation)
    ops_tenants_list_queries   SQL statements of one request of the first page, in steady state
    ops_tenants_search_queries the same for the search (one more: the matching keys)
    ops_tenants_filtered_queries  the same for the filtered page

Exits 1 if a server does not start, a page does not show the list, or any response under
load is not 2xx.
"""

from __future__ import annotations

import argparse
import sys

from _bench_support import BenchError, emit, install_cleanup, log, require_wrk, setup_django
from _page_load import add_load_arguments, measure_pages, queries_of

TOWNS = 36_000
# The rows' codes are OFFICIAL_CODE followed by five digits: no real code starts with a letter.
OFFICIAL_CODE = "0B"
NAME = "Bancville {n:05d}"
SLUG = "bancville-{n}"
STAFF_EMAIL = "console@bench.placette.example"
LIST = "/ops/tenants/collectivite/"
PAGES = {
    "list": LIST,
    "search": f"{LIST}?q=bancville-12345",
    "filtered": f"{LIST}?status__exact=suspended&o=-10",
}
TARGET_MS = 100.0
MARKER = b'<th class="field-name">'


def fill_public_schema() -> None:
    """36,000 collectivités, their billing accounts and domains, figures for a third."""
    from django.db import connection, transaction
    from django.utils import timezone

    from billing.models import BillingAccount, Plan
    from ops.models import TenantFigures
    from tenants.models import Collectivite, Domain

    rows = Collectivite.objects.filter(official_code__startswith=OFFICIAL_CODE)
    if rows.count() >= TOWNS:
        log("The bench tenants are already there")
        return
    log(f"Creating {TOWNS} collectivités in the public schema (no schemas)")
    plans = list(Plan.objects.order_by("min_population"))
    if not plans:
        raise BenchError("No plan: billing's migrations seed them")
    now = timezone.now()
    statuses = list(Collectivite.Status)
    billing = list(BillingAccount.Status)
    with transaction.atomic():
        TenantFigures.objects.filter(collectivite__in=rows).delete()
        BillingAccount.objects.filter(collectivite__in=rows).delete()
        Domain.objects.filter(tenant__in=rows).delete()
        rows.delete()
        towns = Collectivite.objects.bulk_create(
            (
                Collectivite(
                    name=NAME.format(n=n),
                    kind="epci" if n % 28 == 0 else "commune",
                    official_code=f"{OFFICIAL_CODE}{n:05d}",
                    slug=SLUG.format(n=n),
                    schema_name=f"bench_ops_{n}",
                    population=(n * 7919) % 120_000,
                    status=statuses[n % 50 % len(statuses)] if n % 50 < 4 else "ready",
                )
                for n in range(TOWNS)
            ),
            batch_size=4000,
        )
        BillingAccount.objects.bulk_create(
            (
                BillingAccount(
                    collectivite=town,
                    status=billing[n % len(billing)],
                    plan=plans[n % len(plans)],
                    trial_ends_at=now,
                    billing_email=f"mairie@{town.slug}.example",
                )
                for n, town in enumerate(towns)
            ),
            batch_size=4000,
        )
        Domain.objects.bulk_create(
            (
                Domain(tenant=town, domain=f"{town.slug}.bench-ops.example", is_primary=True)
                for town in towns
            ),
            batch_size=4000,
        )
        TenantFigures.objects.bulk_create(
            (
                TenantFigures(collectivite=town, active_residents_30d=n % 900, last_activity_at=now)
                for n, town in enumerate(towns)
                if n % 3 == 0
            ),
            batch_size=4000,
        )
    with connection.cursor() as cursor:  # fresh statistics for the planner, as autovacuum would
        cursor.execute("ANALYZE")
    log(f"Created {TOWNS} collectivités")


def staff_cookie() -> tuple[str, str]:
    """The root domain's host and a `Cookie:` of a staff member with TOTP, signed in there."""
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from accounts.services import create_ops_staff

    user = User.objects.filter(email=STAFF_EMAIL).first() or create_ops_staff(
        email=STAFF_EMAIL,
        display_name="Console",
        password="bench-console",  # noqa: S106
    )
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}}
    )
    client = Client(HTTP_HOST=settings.ROOT_DOMAIN)
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return settings.ROOT_DOMAIN, f"{settings.SESSION_COOKIE_NAME}={session}"


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
        from django.core.management import call_command
        from django.db import DatabaseError, connection

        try:
            connection.set_schema_to_public()  # type: ignore[attr-defined]  # django-tenants
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
            fill_public_schema()
            host, cookie = staff_cookie()
        except DatabaseError as error:
            raise BenchError(f"Could not prepare the bench tenants: {error}") from error
        counts = {}
        for name, path in PAGES.items():
            counts[name], sql = queries_of(path, host, cookie, MARKER)
            log(f"[{name}] {counts[name]} SQL queries per request:"
                + "".join(f"\n    {query[:150]}" for query in sql))  # fmt: skip
        results = measure_pages(
            wrk, PAGES, host=host, cookie=cookie, marker=MARKER, args=args, label="ops"
        )
    except BenchError as error:
        log(f"ops_tenants_list: {error}")
        return 1
    except KeyboardInterrupt:
        log("ops_tenants_list: interrupted")
        return 130
    emit("ops_tenants_list_ms", results["list"].p95_ms, digits=1)
    emit("ops_tenants_search_ms", results["search"].p95_ms, digits=1)
    emit("ops_tenants_filtered_ms", results["filtered"].p95_ms, digits=1)
    for name, count in counts.items():
        emit(f"ops_tenants_{name}_queries", count)
    for name, latency in results.items():
        if latency.p95_ms >= TARGET_MS:
            log(f"ops_tenants_{name}_ms {latency.p95_ms:.1f} is over the {TARGET_MS} ms target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
