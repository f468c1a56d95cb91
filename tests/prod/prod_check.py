"""`make prod-check`: production's parts started on this machine, then proven.

    .prodcheck/venv/bin/python tests/prod/prod_check.py [--keep-running]

Starts Debian's PostgreSQL (a cluster in .prodcheck/pg), PgBouncer in transaction mode
(deploy/pgbouncer/pgbouncer.ini), Debian's Redis, localstripe, runs the release step
(deploy/release.sh and the static files), then gunicorn, a Celery worker and beat with
DJANGO_ENV=production as an unprivileged user, and Caddy with deploy/Caddyfile (TLS from its
internal CA), every one on loopback (tests/prod/stack.py). Figures go to stdout, one
`name: value` per line; what it does goes to stderr. Exits 1 when a part does not start or a
check fails. In order:

- the platform's health over HTTPS through Caddy;
- 50 towns sign up (onboarding's service, the link mailed by the worker confirmed over HTTPS)
  with their residents;
- isolation under PgBouncer: two towns' residents load a page concurrently, 10,000
  requests, each answer checked against the town asked for (`pgbouncer_cross_tenant_answers`);
- the load: 200 residents browsing, posting, messaging and answering (tests/prod/load.py);
- the town's API fuzzed by schemathesis (tests/prod/fuzz.py);
- the faults, each while residents keep acting (tests/prod/faults.py);
- the images linted and checked against these files (tests/prod/image.py), then backup and
  restore of one town and of the whole cluster, with their media (tests/prod/backup.py).

Migrations at scale and one server's ceiling: `make prod-check-scale` (tests/prod/scale.py).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import backup  # noqa: E402
import faults  # noqa: E402
import fuzz  # noqa: E402
import image  # noqa: E402
import load  # noqa: E402
import requests  # noqa: E402  (the tools' venv)
from machine import (
    APP_PYTHON,
    LOOPBACK,
    REPO,
    ROOT_DOMAIN,
    StackError,
    as_app,
    install_packages,
    log,
)
from stack import Stack

PASSWORD = "prod-check-résident-2026"  # noqa: S105  (tests/prod/seed.py's, loopback only)

_getaddrinfo = socket.getaddrinfo


def resolve_to_loopback() -> None:
    """The root domain and every town's subdomain resolve to this machine, as a wildcard DNS
    record would send them to the server (no /etc/hosts entry is written)."""

    def getaddrinfo(host: object, *args: object, **kwargs: object):
        if isinstance(host, str) and (host == ROOT_DOMAIN or host.endswith(f".{ROOT_DOMAIN}")):
            host = LOOPBACK
        return _getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    socket.getaddrinfo = getaddrinfo


def emit(name: str, value: object) -> None:
    print(f"{name}: {value}", flush=True)


def check_https(stack: Stack) -> None:
    """The platform's health over HTTPS through Caddy, its certificate from Caddy's CA."""
    url = f"https://{ROOT_DOMAIN}:{stack.ports.https}/healthz"
    deadline = time.monotonic() + 30
    while True:
        try:
            response = requests.get(url, verify=str(stack.caddy_root_certificate), timeout=10)
            break
        except requests.RequestException as error:
            if time.monotonic() > deadline:
                raise StackError(f"{url} did not answer: {error}") from error
            time.sleep(0.5)
    if response.status_code != 200:
        raise StackError(f"{url} answered {response.status_code}: {response.text[:500]}")
    log(f"{url}: {response.status_code} {response.text.strip()[:200]}")
    for header in ("Strict-Transport-Security", "Content-Security-Policy"):
        log(f"  {header}: {response.headers.get(header, '(none)')}")


# -- seeding: 50 towns through the sign-up, their residents ---------------------------------
TOWNS = 50
RESIDENTS = 8
LINK = re.compile(r"https://[^/\s]+/essai/confirmer/[\w.:-]+/")


def app_script(stack: Stack, *args: str) -> list[dict[str, str]]:
    """tests/prod/seed.py with production's settings (through PgBouncer), its JSON answer."""
    done = subprocess.run(
        as_app([str(APP_PYTHON), str(Path(__file__).with_name("seed.py")), *args]),
        cwd=REPO,
        env=stack.app_env(),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode:
        raise StackError(f"seed.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def mailed_links(stack: Stack, emails: set[str], timeout: float = 180) -> dict[str, str]:
    """The confirmation link the Celery worker delivered to each address (file backend)."""
    folder = Path(stack.app_env()["EMAIL_FILE_PATH"])
    found: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while set(found) != emails:
        for file in folder.glob("*.log") if folder.exists() else []:
            for message in file.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
                to = re.search(r"^To: (.+)$", message, re.M)
                link = LINK.search(message.replace("=\n", ""))
                if to and link and to.group(1).strip() in emails:
                    found[to.group(1).strip()] = link.group(0)
        if time.monotonic() > deadline:
            raise StackError(f"{len(emails) - len(found)} confirmation emails never arrived")
        time.sleep(1)
    return found


def session(stack: Stack) -> requests.Session:
    browser = requests.Session()
    browser.verify = str(stack.caddy_root_certificate)
    return browser


def sign_up_towns(stack: Stack, count: int = TOWNS) -> list[dict[str, str]]:
    """TOWNS trials asked through onboarding's service, each confirmed over HTTPS with the link
    the worker mailed: the sign-up path a mayor takes."""
    started = time.monotonic()
    asked = app_script(stack, "request", str(count))
    log(f"{len(asked)} trials asked in {time.monotonic() - started:.0f} s")
    links = mailed_links(stack, {town["email"] for town in asked})
    log(f"Their links mailed by the worker after {time.monotonic() - started:.0f} s")
    browser = session(stack)
    for town in asked:
        link = links[town["email"]]
        page = browser.get(link, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if page.status_code != 200 or token is None:
            raise StackError(f"{link} answered {page.status_code}")
        done = browser.post(
            link,
            data={"csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": link},
            timeout=60,
            allow_redirects=False,
        )
        if done.status_code != 302:
            raise StackError(f"Confirming {town['slug']} answered {done.status_code}")
    log(f"{len(asked)} towns signed up in {time.monotonic() - started:.0f} s")
    return asked


def log_in(stack: Stack, slug: str, email: str) -> requests.Session:
    browser = session(stack)
    url = stack.town_url(slug, "/accounts/login/")
    page = browser.get(url, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise StackError(f"No login form at {url} ({page.status_code})")
    done = browser.post(
        url,
        data={"csrfmiddlewaretoken": token.group(1), "login": email, "password": PASSWORD},
        headers={"Referer": url},
        timeout=30,
        allow_redirects=False,
    )
    if done.status_code != 302:
        raise StackError(f"Logging in {email} answered {done.status_code}")
    return browser


# -- isolation under PgBouncer: two towns hammered at once ------------------------------------
PROBE_REQUESTS = 10_000
PROBE_THREADS = 16


def isolation_probe(
    stack: Stack, people: list[dict[str, str]], requests_count: int = PROBE_REQUESTS
) -> int:
    """Residents of two towns load their notifications page concurrently, PROBE_REQUESTS in
    all: each answer must greet the resident asked for (their session, account and
    notifications are read from their town's schema on every request), never the other town's.
    The page is one of the lightest a resident has, so that the probe's requests are many a
    second. Returns the wrong answers."""
    first = {person["slug"]: person for person in people}
    a, b = list(first.values())[:2]
    browsers = {p["slug"]: log_in(stack, p["slug"], p["email"]) for p in (a, b)}
    expected = {p["slug"]: (p["name"], (b if p is a else a)["name"]) for p in (a, b)}
    # Straight to gunicorn, as Caddy forwards (the Host, X-Forwarded-Proto): what is probed is
    # the path from the app to PostgreSQL through PgBouncer, and TLS would only slow it.
    upstream = f"http://{LOOPBACK}:{stack.ports.gunicorn}/notifications/"
    local = threading.local()

    def browser_for(slug: str) -> requests.Session:
        sessions = getattr(local, "sessions", None)
        if sessions is None:
            sessions = local.sessions = {}
        if slug not in sessions:
            copy = requests.Session()
            # The session cookie is Secure: over this plain hop it goes as a header.
            cookies = "; ".join(f"{c.name}={c.value}" for c in browsers[slug].cookies)
            copy.headers["Cookie"] = cookies
            copy.headers.update(
                {
                    "Host": f"{slug}.{ROOT_DOMAIN}:{stack.ports.https}",
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-For": "192.0.2.10",
                }  # fmt: skip
            )
            sessions[slug] = copy
        return sessions[slug]

    def one(n: int) -> bool:
        slug = (a if n % 2 else b)["slug"]
        mine, theirs = expected[slug]
        for attempt in range(3):
            try:
                response = browser_for(slug).get(upstream, timeout=30)
                break
            except requests.ConnectionError:
                # A worker recycled (max_requests) closes its kept-alive connections: asked
                # again on a new one, as Caddy does for an idempotent request.
                if attempt == 2:
                    raise
                resets.append(n)
        text = html.unescape(response.text)
        return response.status_code == 200 and mine in text and theirs not in text

    resets: list[int] = []
    started = time.monotonic()
    with ThreadPoolExecutor(PROBE_THREADS) as pool:
        answers = list(pool.map(one, range(requests_count)))
    wrong = answers.count(False)
    log(
        f"Isolation probe: {requests_count} requests to {a['slug']} and {b['slug']} in "
        f"{time.monotonic() - started:.0f} s, {wrong} wrong ({len(resets)} asked again on a "
        "new connection after a worker was recycled)"
    )
    return wrong


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="leave every part running at the end (stop them with Ctrl-C)",
    )
    parser.add_argument(
        "--towns", type=int, default=TOWNS, help=f"towns to sign up (default {TOWNS})"
    )
    parser.add_argument(
        "--probe-requests",
        type=int,
        default=PROBE_REQUESTS,
        help=f"requests of the isolation probe (default {PROBE_REQUESTS})",
    )
    parser.add_argument(
        "--control",
        action="store_true",
        help="run the isolation probe once more with the search path in the session (the "
        "probe must then find wrong answers)",
    )
    parser.add_argument(
        "--load-users",
        type=int,
        default=load.USERS,
        help=f"residents of the load (default {load.USERS})",
    )
    parser.add_argument(
        "--load-seconds",
        type=float,
        default=load.SECONDS,
        help=f"seconds of the load once they are all in (default {load.SECONDS}; 0 skips it)",
    )
    parser.add_argument(
        "--fuzz-seconds",
        type=float,
        default=fuzz.SECONDS,
        help=f"seconds of the API's fuzzing (default {fuzz.SECONDS}; 0 skips it)",
    )
    parser.add_argument(
        "--faults",
        default=",".join(faults.FAULTS),
        help="the faults to run while the load runs, comma-separated (default: all of them; "
        "an empty value skips them)",
    )
    parser.add_argument(
        "--skip-backup",
        action="store_true",
        help="leave out backup and restore (tests/prod/backup.py)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    # A `timeout` or a closed terminal stops the parts too (the `finally` below).
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda number, frame: sys.exit(128 + number))
    resolve_to_loopback()
    stack = Stack()
    started = time.monotonic()
    try:
        install_packages()
        stack.reset()
        release_seconds = stack.start_all()
        emit("release_s", f"{release_seconds:.1f}")
        check_https(stack)
        sign_up_towns(stack, args.towns)
        people = app_script(stack, "residents", str(RESIDENTS))
        log(f"{len(people)} residents")
        wrong = isolation_probe(stack, people, args.probe_requests)
        emit("pgbouncer_cross_tenant_answers", wrong)
        if args.control:
            # The probe's power: the same with django-tenants' session-level SET, which
            # transaction pooling does not keep.
            stack.statement_path = False
            stack.restart_web()
            wrong = isolation_probe(stack, people, args.probe_requests // 5)
            emit("pgbouncer_cross_tenant_answers_with_session_search_path", wrong)
            stack.statement_path = True
            stack.restart_web()
        # The load, then the API fuzzed (in a town of its own): their failures fail the run.
        proven = []
        if args.load_seconds:
            figures = load.run_load(stack, people, args.load_users, args.load_seconds)
            for name in ("rps", "p95_ms", "p99_ms", "requests", "errors"):
                emit(f"prod_{name}", figures[name])
            if figures["errors"]:
                proven.append(f"prod_errors: {figures['errors']}")
        if args.fuzz_seconds:
            server_errors = fuzz.run_schemathesis(stack, people, args.fuzz_seconds)
            emit("schemathesis_5xx", server_errors)
            if server_errors:
                proven.append(f"schemathesis_5xx: {server_errors}")
        # Each fault while residents keep browsing, posting, messaging and answering.
        chosen = [name for name in args.faults.split(",") if name]
        if chosen:
            behind = load.Load(stack, people)
            behind.start(users=args.load_users // 2, seconds=900)
            try:
                outcome = faults.run_faults(stack, people, behind, only=chosen)
            finally:
                behind.stop()
            proven += [f"fault_{name}: {got}" for name, got in outcome.items() if got != "survived"]
        # The images, linted, and backup and restore: every figure printed, then a failure.
        checked = image.check_image()
        if not args.skip_backup:
            checked |= backup.check_backup_restore(stack, people, log_in)
        for name, value in checked.items():
            emit(name, value)
        passing = {**image.PASSING, **backup.PASSING}
        failed = proven + [
            f"{name}: {got}" for name, got in checked.items() if passing.get(name, got) != got
        ]
        if failed:
            raise StackError("; ".join(failed))
        if args.keep_running:
            log(f"Everything runs: https://{ROOT_DOMAIN}:{stack.ports.https}/ (Ctrl-C stops)")
            while True:
                time.sleep(3600)
    except StackError as error:
        log(f"prod-check: {error}")
        return 1
    except KeyboardInterrupt:
        log("prod-check: interrupted")
        return 130
    finally:
        stack.stop_all()
        log(f"prod-check took {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
