"""What a day's digest costs a town of 50,000 residents with 10,000 new posts that day.

Runs in the benchmarks' database (`placette_bench`, see _bench_support.use_bench_database). A
bench town is provisioned, its residents and the day's notifications written with bulk SQL
(each post is told to the residents who follow its category in its neighbourhood: 25 of them,
so each resident has a few), then the daily digest runs as the beat would run it for this town:
`run_digests` claims the residents batch by batch, and the mail tasks it queues are run here,
in this process, one after the other (emails to Django's in-memory backend: rendering and
encoding are measured, an SMTP server is not). The town is removed at the end.

Prints `digest_seconds_per_1000_residents` (claim + render + send, per 1,000 residents of the
town) and `digest_tasks_queued` (the town's digest task plus the mail tasks it queued: it must
be a few hundred, not one per resident per post).

    .venv/bin/python tests/bench/digest.py [--residents 50000] [--posts 10000] [--fan-out 25]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from _bench_support import emit, log, setup_django  # noqa: E402

SLUG = "digest-bench"
KIND = "bench.new_post"


def _remove_town() -> None:
    from django.db import connection

    from tenants import schema
    from tenants.models import AuditEntry, Collectivite

    schema.activate_public()
    for town in Collectivite.objects.filter(slug=SLUG):
        AuditEntry.objects.filter(collectivite=town).delete()
        town.domains.all().delete()
        schema_name = town.schema_name
        town.delete()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


def _write_day(residents: int, posts: int, fan_out: int) -> None:
    """The residents, some preferences, and the day's notifications, with bulk SQL."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from notifications.models import Notification, Preference

    users, notifications = User._meta.db_table, Notification._meta.db_table
    preferences = Preference._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {users} (email, display_name, role, is_staff, is_active,"  # noqa: S608
            " is_superuser, date_joined, password)"
            " SELECT 'habitant' || n || '@bench.example', 'Habitant ' || n, 'resident',"
            " false, true, false, %s, '!' FROM generate_series(1, %s) AS n",
            [now, residents],
        )
        cursor.execute(f"SELECT min(id), max(id) FROM {users}")  # noqa: S608
        first, last = cursor.fetchone()
        count = last - first + 1
        # One resident in ten wants a weekly summary, one in twenty-five no email at all.
        cursor.execute(
            f"INSERT INTO {preferences} (user_id, kind, frequency)"  # noqa: S608
            " SELECT id, %s, CASE WHEN id %% 10 = 0 THEN 'weekly' ELSE 'never' END"
            f" FROM {users} WHERE id %% 10 = 0 OR id %% 25 = 0",
            [KIND],
        )
        # Post p is told to `fan_out` residents spread over the town (slot × a prime modulo the
        # number of residents: every resident gets posts * fan_out / residents of them);
        # the email frequency is stamped from the preference, as notify_many does.
        cursor.execute(
            f"INSERT INTO {notifications} (recipient_id, kind, title, body, url,"  # noqa: S608
            " created_at, email_frequency)"
            " SELECT r.id, %s, 'Nouvelle annonce n° ' || p, '', '/entraide/' || p || '/',"
            "  %s - (p %% 600) * interval '1 minute', COALESCE(pref.frequency, 'daily')"
            " FROM generate_series(1, %s) AS p, generate_series(1, %s) AS k,"
            f"  LATERAL (SELECT %s + (((p - 1) * %s + k - 1) * 7919 %% %s) AS id) AS r"
            f"  LEFT JOIN {preferences} AS pref ON pref.user_id = r.id AND pref.kind = %s",
            [KIND, now, posts, fan_out, first, fan_out, count, KIND],
        )
        cursor.execute(f"ANALYZE {notifications}")
        cursor.execute(f"ANALYZE {users}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--fan-out", type=int, default=25, help="residents told of each post")
    args = parser.parse_args()

    # Emails to memory: printed by the development backend, they would mix with the figures.
    os.environ["EMAIL_DELIVERY_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    setup_django()
    from django.core import mail
    from django.core.management import call_command
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from notifications import digests, kinds, tasks
    from notifications.kinds import Frequency, Kind
    from notifications.models import DigestDelivery, Notification
    from tenants.services import provision_collectivite

    kinds.register(Kind(KIND, "Nouvelles annonces", Frequency.DAILY))
    log("Migrating the bench database...")
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    call_command("migrate_tenant_template", verbosity=0, stdout=sys.stderr)

    _remove_town()  # what an interrupted run left
    town = provision_collectivite(
        name="Digestville", kind="commune", official_code="D0001", slug=SLUG
    )
    try:
        with schema_context(town.schema_name):
            started = time.perf_counter()
            _write_day(args.residents, args.posts, args.fan_out)
            told = Notification.objects.values("recipient_id").distinct().count()
            log(
                f"{args.residents} residents ({told} told something),"
                f" {Notification.objects.count()} notifications"
                f" written in {time.perf_counter() - started:.1f} s"
            )
            # The mail tasks are counted as queued, then run here (a worker would run them).
            queued: list[list[int]] = []
            tasks.deliver_digests.delay = queued.append
            mail.outbox = []
            started, cpu_started = time.perf_counter(), time.process_time()
            run = digests.run_digests(Frequency.DAILY, now=timezone.now())
            claimed = time.perf_counter()
            sent = 0
            for batch in queued:
                sent += digests.deliver(batch)
                mail.outbox.clear()
            finished, cpu = time.perf_counter(), time.process_time() - cpu_started
            unsent = DigestDelivery.objects.filter(sent_at__isnull=True).count()
        if unsent or sent != run.residents:
            log(f"Error: {run.residents} claimed, {sent} sent, {unsent} left unsent")
            return 1
        log(
            f"{run.residents} digests: claimed in {claimed - started:.1f} s,"
            f" rendered and sent in {finished - claimed:.1f} s, {len(queued)} mail tasks"
        )
        emit(
            "digest_seconds_per_1000_residents",
            (finished - started) / (args.residents / 1000),
            digits=3,
        )
        emit("digest_cpu_seconds_per_1000_residents", cpu / (args.residents / 1000), digits=3)
        emit("digest_tasks_queued", 1 + len(queued))
        emit("digest_emails_sent", sent)
    finally:
        _remove_town()
    return 0


if __name__ == "__main__":
    sys.exit(main())
