"""`make prod-check`: production's parts started on this machine, then proven.

    .prodcheck/venv/bin/python tests/prod/prod_check.py [--keep-running]

Starts Debian's PostgreSQL (a cluster in .prodcheck/pg), PgBouncer in transaction mode, Debian's
Redis, localstripe, runs the release step (deploy/release.sh and the static files), then
gunicorn, a Celery worker and beat with DJANGO_ENV=production, and Caddy with deploy/Caddyfile
(TLS from its internal CA), every one on loopback (tests/prod/stack.py). Then it checks the
platform answers over HTTPS through Caddy. Figures go to stdout, one `name: value` per line;
what it does goes to stderr. Exits 1 when a part does not start or a check fails.

What is not built yet (issue 12): the 50 towns' sign-ups, the load, the faults, the isolation
probe under PgBouncer, the API fuzzing, backup and restore, migrations at scale.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402  (the tools' venv)
from stack import LOOPBACK, ROOT_DOMAIN, Stack, StackError, install_packages, log  # noqa: E402

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


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="leave every part running at the end (stop them with Ctrl-C)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    resolve_to_loopback()
    stack = Stack()
    started = time.monotonic()
    try:
        install_packages()
        release_seconds = stack.start_all()
        emit("release_s", f"{release_seconds:.1f}")
        check_https(stack)
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
