"""Backup and restore, proven on the running stack (issue 12): what deploy/README.md tells.

1. One town: `pg_dump -Fc` of the public schema and that town's schema (what a restored town
   needs to be served: its row in tenants_collectivite, its domains, the accounts and reference
   data, the unaccent extension), restored with pg_restore into a new database of the same
   cluster; a second gunicorn serves it (straight to PostgreSQL, the same SECRET_KEY, its own
   Redis database so that nothing cached by the first answers for it), and a resident's pages
   must read the same on both, with the session they logged in with before the dump; the
   town's media folder, archived after the dump and extracted into a new folder, serves the
   photo of the offer the resident posted, byte for byte.
2. The whole cluster: the roles (`pg_dumpall --globals-only`) and every database
   (`pg_dump -Fc`), restored into a new cluster (initdb, another port), and the whole media
   folder into a new one; every schema's tables and sequences must hold the same rows, and
   another town's pages and photo are served from them.

Each dump reads a snapshot exported by a transaction that also fingerprints every table (row
count and a digest of the rows) and sequence, so what the restore must hold is exactly what was
dumped, whatever else writes meanwhile.
"""

from __future__ import annotations

import difflib
import html
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import posting
import psycopg
import requests
from machine import HOME, LOOPBACK, PORT_OFFSET, ROOT_DOMAIN, StackError, log, owned_by_app
from psycopg import sql
from stack import Stack

RESTORE_DATABASE = "placette_restore"
# Beside the stack's own ports (tests/prod/machine.py's Ports), shifted by the same offset.
RESTORE_WEB_PORT = 57000 + PORT_OFFSET
CLUSTER_WEB_PORT = 57001 + PORT_OFFSET
CLUSTER_PORT = 54432 + PORT_OFFSET
# A resident's pages: the town's home, the three modules' lists, their own posts and account.
PAGES = (
    "/",
    "/entraide/",
    "/entraide/mes-annonces/",
    "/idees/",
    "/consultations/",
    "/mon-compte/",
    "/notifications/",
)
# What the verdict reads when all is well (prod_check.py fails the run otherwise).
PASSING = {"backup_restore": "survived"}
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")

Fingerprints = dict[str, tuple[int, str]]
LogIn = Callable[[Stack, str, str], requests.Session]


# -- what a database holds, read in one snapshot ----------------------------------------------
def connect(stack: Stack, database: str, port: int) -> psycopg.Connection:
    return psycopg.connect(
        host=LOOPBACK,
        port=port,
        user="postgres",
        password=stack.password,
        dbname=database,
        options="-c TimeZone=UTC",
    )


def schemas_of(connection: psycopg.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT nspname FROM pg_namespace WHERE nspname <> ALL(%s) AND nspname NOT LIKE 'pg_%%'"
        " ORDER BY 1",
        [list(SYSTEM_SCHEMAS)],
    ).fetchall()
    return [row[0] for row in rows]


def fingerprints(connection: psycopg.Connection, schemas: list[str]) -> Fingerprints:
    """Every table's row count and a digest of its rows, every sequence's position."""
    relations = connection.execute(
        "SELECT n.nspname, c.relname, c.relkind FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p', 'S') ORDER BY 1, 2",
        [schemas],
    ).fetchall()
    found: Fingerprints = {}
    for schema, name, kind in relations:
        relation = sql.Identifier(schema, name)
        if kind == "S":
            query = sql.SQL("SELECT 1, last_value::text || is_called::text FROM {}")
        else:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY"
                " md5(t::text)), '')) FROM {} t"
            )
        row = connection.execute(query.format(relation)).fetchone()
        assert row is not None
        found[f"{schema}.{name}"] = (int(row[0]), str(row[1]))
    return found


@contextmanager
def snapshot(stack: Stack, database: str, port: int) -> Iterator[tuple[psycopg.Connection, str]]:
    """A read-only repeatable-read transaction and the snapshot it exported, which pg_dump
    takes with --snapshot: the fingerprints read in it are what the dump holds."""
    with connect(stack, database, port) as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        row = connection.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        yield connection, str(row[0])
        connection.rollback()


def compare(expected: Fingerprints, restored: Fingerprints) -> list[str]:
    differences = [f"{name} missing" for name in expected if name not in restored]
    differences += [f"{name} not in the dump" for name in restored if name not in expected]
    differences += [
        f"{name}: {expected[name][0]} rows, restored {restored[name][0]}"
        if expected[name][0] != restored[name][0]
        else f"{name}: other rows"
        for name in expected
        if name in restored and expected[name] != restored[name]
    ]
    return differences


def megabytes(*paths: Path) -> str:
    return f"{sum(path.stat().st_size for path in paths) / 1_000_000:.1f}"


# -- the same pages from two servers -----------------------------------------------------------
MAIN = re.compile(r"<main\b.*?</main>", re.S)
# What differs from one answer to the next whatever the database: tokens and nonces.
VOLATILE = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


@dataclass(frozen=True)
class Offer:
    title: str
    photo: str  # the photo's path on the town's site


def post_offer(stack: Stack, browser: requests.Session, slug: str) -> Offer:
    """An offer with a photo posted over HTTPS through the form, before the dump: a resident's
    own words, which the restored pages must show, and a file of the media folder, which the
    restored media must serve."""
    url = stack.town_url(slug, "/entraide/nouvelle-annonce/offre/")
    title = f"Sauvegarde prouvée {time.strftime('%H:%M:%S')}"
    done = posting.post_offer(
        browser,
        url,
        title,
        "Je prête une échelle, à rendre avant la nuit.",
        photo=(posting.noise_png(), "Une échelle contre un mur"),
    )
    if done.status_code != 302:
        raise StackError(f"Posting an offer in {slug} answered {done.status_code}")
    shown = browser.get(urljoin(url, done.headers["Location"]), timeout=30)
    photo = re.search(r'src="(/entraide/photos/\d+/)"', shown.text)
    if shown.status_code != 200 or photo is None:
        raise StackError(f"The offer posted in {slug} shows no photo ({shown.status_code})")
    return Offer(title, photo.group(1))


def main_content(text: str) -> str:
    found = MAIN.search(text)
    return VOLATILE.sub(r'\1=""', found.group(0) if found else text)


def page(port: int, slug: str, path: str, cookies: str, stack: Stack) -> requests.Response:
    """A page straight from one gunicorn, as Caddy forwards it (Host, X-Forwarded-*), with the
    resident's cookies (Secure, so sent as a header over this plain hop)."""
    return requests.get(
        f"http://{LOOPBACK}:{port}{path}",
        headers={
            "Host": f"{slug}.{ROOT_DOMAIN}:{stack.ports.https}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "192.0.2.20",
            "Cookie": cookies,
        },
        timeout=30,
        allow_redirects=False,
    )


def compare_pages(
    stack: Stack, person: dict[str, str], cookies: str, copy_port: int, offer: Offer
) -> list[str]:
    """Each page of PAGES from the stack's gunicorn and from the copy: both 200, the same main
    content; the copy greets the resident (their session survived), shows their offer and
    serves its photo, byte for byte (the media restored with the database)."""
    differences = []
    slug = person["slug"]
    shown = ""
    for path in PAGES:
        original = page(stack.ports.gunicorn, slug, path, cookies, stack)
        copy = page(copy_port, slug, path, cookies, stack)
        if (original.status_code, copy.status_code) != (200, 200):
            differences.append(f"{slug}{path} answered {original.status_code}/{copy.status_code}")
            continue
        before, after = main_content(original.text), main_content(copy.text)
        if before != after:
            line = next(
                (
                    change
                    for change in difflib.unified_diff(
                        before.splitlines(), after.splitlines(), lineterm="", n=0
                    )
                    if change[:1] in "+-" and change[:3] not in ("+++", "---")
                ),
                "",
            )
            differences.append(f"{slug}{path} differs: {line.strip()[:160]}")
        shown += html.unescape(copy.text)
    if person["name"] not in shown:
        differences.append(f"{slug}: the restored pages do not greet {person['name']}")
    if offer.title not in shown:
        differences.append(f"{slug}: the restored pages do not show the offer {offer.title!r}")
    original = page(stack.ports.gunicorn, slug, offer.photo, cookies, stack)
    copy = page(copy_port, slug, offer.photo, cookies, stack)
    if original.status_code != 200 or copy.status_code != 200 or original.content != copy.content:
        differences.append(
            f"{slug}{offer.photo}: the restored photo answered {copy.status_code}, "
            f"{len(copy.content)} bytes ({original.status_code}, {len(original.content)} live)"
        )
    return differences


def copy_env(
    stack: Stack, *, port: int, database_port: int, database: str, redis: int, media: Path
) -> dict:
    env = stack.app_env(direct_database=True)
    env.update(
        DATABASE_URL=f"postgresql://placette:{stack.password}@{LOOPBACK}:{database_port}/{database}",
        MEDIA_ROOT=str(media),
        REDIS_URL=f"redis://{LOOPBACK}:{stack.ports.redis}/{redis}",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
    )
    return env


def copy_media(stack: Stack, archive: Path, schemas: list[str] | None = None) -> Path:
    """The media folder (or only these towns' folders) archived as deploy/README.md's nightly
    backup does, after the database's dump, then extracted into a new folder, as on a new
    server: the folder a restored app serves its files from."""
    media = Path(stack.app_env()["MEDIA_ROOT"])
    subprocess.run(["tar", "-czf", str(archive), "-C", str(media), *(schemas or ["."])], check=True)
    restored = HOME / archive.name.removesuffix(".tar.gz")
    if restored.exists():
        shutil.rmtree(restored)
    # As root, tar keeps the files' owner: the app's, which the restored app runs as.
    subprocess.run(["tar", "-xzf", str(archive), "-C", str(owned_by_app(restored))], check=True)
    return restored


# -- the two restores ------------------------------------------------------------------------
def restore_one_town(
    stack: Stack, person: dict[str, str], cookies: str, offer: Offer, folder: Path
) -> tuple[dict[str, str], list[str]]:
    figures: dict[str, str] = {}
    schema = town_schema(stack, person["slug"])
    dump = folder / f"{schema}.dump"
    with snapshot(stack, "placette", stack.ports.postgres) as (connection, snapshot_id):
        extensions = [
            row[0]
            for row in connection.execute(
                "SELECT extname FROM pg_extension WHERE extnamespace = 'public'::regnamespace"
            ).fetchall()
        ]
        started = time.monotonic()
        stack.pg_tool(
            "pg_dump",
            "--format=custom",
            f"--snapshot={snapshot_id}",
            "--schema=public",
            f"--schema={schema}",
            *(f"--extension={name}" for name in extensions),
            f"--file={dump}",
            "placette",
        )
        figures["backup_tenant_dump_s"] = f"{time.monotonic() - started:.1f}"
        expected = fingerprints(connection, ["public", schema])
    figures["backup_tenant_mb"] = megabytes(dump)
    media = copy_media(stack, folder / f"media-{schema}.tar.gz", [schema])
    stack.pg_tool("psql", "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {RESTORE_DATABASE}")
    stack.pg_tool(
        "psql", "-d", "postgres", "-c", f"CREATE DATABASE {RESTORE_DATABASE} OWNER placette"
    )
    started = time.monotonic()
    # --clean: the dump creates the public schema, which a new database already has.
    stack.pg_tool(
        "pg_restore", "--exit-on-error", "--clean", "--if-exists",
        f"--dbname={RESTORE_DATABASE}", str(dump),
    )  # fmt: skip
    figures["backup_tenant_restore_s"] = f"{time.monotonic() - started:.1f}"
    with connect(stack, RESTORE_DATABASE, stack.ports.postgres) as connection:
        differences = compare(expected, fingerprints(connection, schemas_of(connection)))
    log(f"{schema} restored into {RESTORE_DATABASE}: {len(expected)} tables and sequences")
    name = "gunicorn (restored town)"
    stack.start_web_process(
        name,
        copy_env(
            stack,
            port=RESTORE_WEB_PORT,
            database_port=stack.ports.postgres,
            database=RESTORE_DATABASE,
            redis=1,
            media=media,
        ),
    )
    try:
        differences += compare_pages(stack, person, cookies, RESTORE_WEB_PORT, offer)
    finally:
        stack.stop_part(name)
    stack.pg_tool("psql", "-d", "postgres", "-c", f"DROP DATABASE {RESTORE_DATABASE}")
    return figures, differences


def restore_cluster(
    stack: Stack, person: dict[str, str], cookies: str, offer: Offer, folder: Path
) -> tuple[dict[str, str], list[str]]:
    figures: dict[str, str] = {}
    databases = stack.pg_tool(
        "psql", "-d", "postgres", "-Atc",
        "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1",
    ).stdout.split()  # fmt: skip
    roles = folder / "globals.sql"
    started = time.monotonic()
    stack.pg_tool("pg_dumpall", "--globals-only", f"--file={roles}")
    seconds = time.monotonic() - started
    expected: dict[str, Fingerprints] = {}
    dumps: dict[str, Path] = {}
    for database in databases:
        dumps[database] = folder / f"{database}.dump"
        with snapshot(stack, database, stack.ports.postgres) as (connection, snapshot_id):
            started = time.monotonic()
            stack.pg_tool(
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot_id}",
                f"--file={dumps[database]}",
                database,
            )
            seconds += time.monotonic() - started  # the dumps' time, not the fingerprints'
            expected[database] = fingerprints(connection, schemas_of(connection))
    figures["backup_cluster_dump_s"] = f"{seconds:.1f}"
    figures["backup_cluster_mb"] = megabytes(roles, *dumps.values())
    started = time.monotonic()
    archive = folder / "media-all.tar.gz"
    media = copy_media(stack, archive)
    figures["backup_media_s"] = f"{time.monotonic() - started:.1f}"  # archived and extracted
    figures["backup_media_mb"] = megabytes(archive)

    data = HOME / "pg-restore"
    if data.exists():  # a new cluster each time, as on a new server
        shutil.rmtree(data)
    stack.start_cluster("postgresql (restored cluster)", data, CLUSTER_PORT)
    differences: list[str] = []
    try:
        started = time.monotonic()
        # The roles, but the superuser the new cluster already has.
        done = stack.pg_tool("psql", "-d", "postgres", "-f", str(roles), port=CLUSTER_PORT)
        unexpected = [
            line
            for line in done.stderr.splitlines()
            if "ERROR" in line and 'role "postgres" already exists' not in line
        ]
        if unexpected:
            raise StackError(f"Restoring the roles: {unexpected}")
        for database, dump in dumps.items():
            into = (
                ["--dbname=postgres"] if database == "postgres" else ["--create", "-d", "postgres"]
            )
            stack.pg_tool("pg_restore", "--exit-on-error", *into, str(dump), port=CLUSTER_PORT)
        figures["backup_cluster_restore_s"] = f"{time.monotonic() - started:.1f}"
        tables = 0
        for database, before in expected.items():
            with connect(stack, database, CLUSTER_PORT) as connection:
                after = fingerprints(connection, schemas_of(connection))
            differences += [f"{database}: {change}" for change in compare(before, after)]
            tables += len(after)
        log(f"The cluster restored on port {CLUSTER_PORT}: {len(dumps)} databases, {tables} "
            "tables and sequences")  # fmt: skip
        name = "gunicorn (restored cluster)"
        stack.start_web_process(
            name,
            copy_env(
                stack,
                port=CLUSTER_WEB_PORT,
                database_port=CLUSTER_PORT,
                database="placette",
                redis=2,
                media=media,
            ),
        )
        try:
            differences += compare_pages(stack, person, cookies, CLUSTER_WEB_PORT, offer)
        finally:
            stack.stop_part(name)
    finally:
        stack.stop_part("postgresql (restored cluster)")
    return figures, differences


def town_schema(stack: Stack, slug: str) -> str:
    with connect(stack, "placette", stack.ports.postgres) as connection:
        row = connection.execute(
            "SELECT schema_name FROM tenants_collectivite WHERE slug = %s", [slug]
        ).fetchone()
    if row is None:
        raise StackError(f"No town {slug}")
    return str(row[0])


def check_backup_restore(
    stack: Stack, people: list[dict[str, str]], log_in: LogIn
) -> dict[str, str]:
    """Both restores; the figures to print, `backup_restore` last: survived, or what differed."""
    folder = HOME / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    towns = list({person["slug"]: person for person in people}.values())
    # One town restored alone, another one from the whole cluster.
    chosen = [towns[0], towns[1] if len(towns) > 1 else towns[0]]
    sessions = []
    for person in chosen:
        browser = log_in(stack, person["slug"], person["email"])
        offer = post_offer(stack, browser, person["slug"])
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies)
        sessions.append((person, cookies, offer))
    started = time.monotonic()
    figures, differences = restore_one_town(stack, *sessions[0], folder)
    more, other = restore_cluster(stack, *sessions[1], folder)
    figures.update(more)
    differences += other
    log(f"Backup and restore checked in {time.monotonic() - started:.0f} s")
    for difference in differences:
        log(f"  restore: {difference}")
    figures["backup_restore"] = (
        PASSING["backup_restore"]
        if not differences
        else f"{len(differences)} differences: {differences[0]}"
    )
    return figures
