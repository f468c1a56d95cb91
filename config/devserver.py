"""`make run`: the web app, a Celery worker, Celery beat and a fake Stripe in one terminal.

Ports: every port derives from PORT (default 8000). The web app listens on PORT, localstripe on
PORT + 420 (`LOCAL_STRIPE_PORT` overrides it); PostgreSQL and Redis listen on Unix sockets in
the checkout's data folder. A port already taken stops the run before anything starts, and the
webhook is registered only once localstripe's port is held by our own child: two checkouts on
two PORTs never talk to each other's services.

Stopping: each program runs in its own process group. Ctrl-C, SIGTERM or SIGHUP, to the runner
or to its process group, stops every group (SIGTERM, then SIGKILL after 10 s), and the runner
exits once none is left. While it serves, the runner's pid is in `<data folder>/devserver.pid`,
so that `make stop` stops it before the databases.

Terminal: the programs start quietly (Celery without its banner and at WARNING, requests
logged only when they fail); what they print while starting is kept in
`<data folder>/startup.log` and shown only when something looks wrong. The banner comes once
every server holds its port and the worker answers a ping, so it is the last thing on screen.

Why not honcho (the usual Procfile runner, which has a Python API): its `Manager.loop()` only
handles SIGINT and SIGTERM, so closing the terminal (SIGHUP) kills the manager and leaves every
child running in its own session (tried with honcho 2.0.0); `loop()` starts the programs itself
and blocks, with no hook to print the banner once the services answer; it forks a reader
process per program after Django is set up, and keeps the pids private. Working around each of
these is more code than this runner, whose threads only prefix lines.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import psutil

from config import devservices

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_GRACE_SECONDS = 10
START_TIMEOUT_SECONDS = 60
STARTUP_LOG = "startup.log"
# Start-up output worth showing even when every program came up.
_ALARMING = ("Traceback", "Error", "ERROR", "CRITICAL", "identified some issues")


class Terminal:
    """The programs' lines, held back while they start (so the banner comes last), then live."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: list[str] | None = []

    def line(self, text: str) -> None:
        with self._lock:
            if self._held is None:
                self._write([text])
            else:
                self._held.append(text)

    def say(self, text: str) -> None:
        """The runner's own words, never held back."""
        with self._lock:
            self._write([text])

    def release(self, *, startup_log: Path, show: bool | None = None) -> None:
        """Keep the start-up lines in `startup_log`; print them when asked or when alarming."""
        with self._lock:
            if self._held is None:  # released already: the lines are live
                return
            held, self._held = self._held, None
            startup_log.write_text("".join(line + "\n" for line in held))
            if show or (show is None and any(w in line for line in held for w in _ALARMING)):
                self._write(held)

    @staticmethod
    def _write(lines: list[str]) -> None:
        sys.stdout.write("".join(line + "\n" for line in lines))
        sys.stdout.flush()


terminal = Terminal()


class Child:
    """One program of the run, in its own process group, each output line prefixed."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._relay, daemon=True)
        self._reader.start()

    def _relay(self) -> None:
        assert self.process.stdout is not None
        prefix = f"{self.name:<6} | "
        for line in self.process.stdout:
            terminal.line(prefix + line.decode(errors="replace").rstrip())

    def exit_code(self) -> int | None:
        return self.process.poll()

    def listens_on(self, port: int) -> bool:
        """Whether this program (or one it started) holds `port`: ours, not another's."""
        try:
            leader = psutil.Process(self.process.pid)
            processes = [leader, *leader.children(recursive=True)]
        except psutil.NoSuchProcess:
            return False
        for process in processes:
            try:
                connections = process.net_connections(kind="inet")
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            if any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in connections):
                return True
        return False

    def signal_group(self, signum: int) -> bool:
        """Send `signum` to the whole group; False when no process is left in it."""
        self.process.poll()  # a reaped leader leaves the group; a zombie would stay in it
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            return False
        return True

    def finish(self) -> None:
        self.process.wait()
        self._reader.join(timeout=2)


def _port_taken(port: int) -> bool:
    for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):  # noqa: S104
        try:
            probe = socket.socket(family, socket.SOCK_STREAM)
        except OSError:  # no IPv6 on this machine
            continue
        with probe:
            # Allowed over a closed socket's TIME_WAIT, refused by any listener.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind((address, port))
            except OSError:
                return True
    return False


def _why_not_start(ports: dict[str, int]) -> str | None:
    runner = devservices.process_from_pidfile(
        devservices.data_dir() / devservices.RUNNER_PIDFILE, "config.devserver"
    )
    if runner is not None and runner.pid != os.getpid():
        return (
            f"`make run` is already running in this checkout (pid {runner.pid}). "
            "Stop it with Ctrl-C in its terminal, or with `make stop`."
        )
    taken = [f"port {port} ({name})" for name, port in ports.items() if _port_taken(port)]
    if taken:
        return (
            f"Already in use: {', '.join(taken)}, maybe by another checkout's `make run`. "
            "Every port derives from PORT (web on PORT, localstripe on PORT+420): "
            f"choose another, e.g. `PORT={ports['web'] + 100} make run`."
        )
    return None


def _commands(port: int, stripe_port: int | None) -> dict[str, list[str]]:
    python = sys.executable
    # --quiet: no start-up banner; WARNING: tasks are logged only when they fail.
    celery = [python, "-m", "celery", "-A", "config", "--quiet"]
    commands = {
        "web": [python, "manage.py", "runserver", f"0.0.0.0:{port}"],
        "worker": [
            *celery,
            "worker",
            "--loglevel=WARNING",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
        ],
        "beat": [
            *celery,
            "beat",
            "--loglevel=WARNING",
            "--schedule",
            str(devservices.data_dir() / "celerybeat-schedule"),
        ],
    }
    if stripe_port is not None:
        # A fake Stripe for the demo: subscribing works with the test card 4242 4242 4242 4242.
        commands["stripe"] = [python, "-m", "config.devstripe", "--port", str(stripe_port)]
    return commands


def _register_local_webhook(settings: Any, port: int) -> None:
    """Tell our localstripe where to send its signed events (it forgets them at every start)."""
    data = urllib.parse.urlencode(
        {
            "url": f"http://{settings.ROOT_DOMAIN}:{port}/billing/stripe/webhook/",
            "secret": settings.STRIPE_WEBHOOK_SECRET,
        }
    ).encode()
    url = f"{settings.STRIPE_API_BASE}/_config/webhooks/placette"
    urllib.request.urlopen(url, data=data, timeout=5).close()  # noqa: S310 (our loopback child)


def _first_exit(children: dict[str, Child]) -> tuple[str, int] | None:
    for name, child in children.items():
        code = child.exit_code()
        if code is not None:
            return name, code
    return None


def _worker_answers() -> bool:
    from kombu.exceptions import OperationalError

    from config.celery import app

    try:
        return bool(app.control.ping(timeout=0.5))
    except (OSError, OperationalError):  # Redis not answering yet: ask again
        return False


def _wait_until_up(
    children: dict[str, Child], ports: dict[str, int], stopping: threading.Event
) -> list[str]:
    """Wait until each server holds its port and the worker answers; returns who never did."""
    checks: dict[str, Callable[[], bool]] = {
        name: partial(children[name].listens_on, port) for name, port in ports.items()
    }
    checks["worker"] = _worker_answers
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while checks and not stopping.is_set() and _first_exit(children) is None:
        checks = {name: up for name, up in checks.items() if not up()}
        if time.monotonic() > deadline:
            break
        stopping.wait(0.2)
    return list(checks)


def _stop_all(children: dict[str, Child]) -> None:
    for child in children.values():
        child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    alive = list(children.values())
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [child for child in alive if child.signal_group(0)]
    for child in alive:
        terminal.say(f"{child.name} did not stop within {STOP_GRACE_SECONDS} s: killed.")
        child.signal_group(signal.SIGKILL)
    for child in children.values():
        child.finish()


def _banner(port: int, stripe_port: int | None) -> str:
    from tenants.models import Collectivite
    from townsite.management.commands.seed_demo import DEMO_PASSWORD, OPS_EMAIL, PEOPLE

    lines = [
        "",
        "Placette is running. Ctrl-C stops everything.",
        f"  Public site:         http://localhost:{port}/",
        f"  Health:              http://localhost:{port}/healthz",
        f"  Unknown town (404):  http://unknown.localhost:{port}/",
    ]
    towns = Collectivite.objects.filter(status=Collectivite.Status.READY).order_by("kind", "name")
    lines += [f"  {town.name}: http://{town.primary_host}:{port}/" for town in towns]
    lines += ["", f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    role_width = max(len(str(role.label)) for _local, _name, role in PEOPLE)
    name_width = max(len(name) for _local, name, _role in PEOPLE)
    lines += [
        f"  {str(role.label):<{role_width}}  {name:<{name_width}}  {local}@<subdomain>.example"
        for local, name, role in PEOPLE
    ]
    lines += [
        "  e.g. admin@chavenay.example on http://chavenay.localhost:" + str(port) + "/",
        f"  Placette staff, root domain only, TOTP set up at first login: {OPS_EMAIL}",
        "Emails (sign-up confirmations...) are printed in this terminal by the worker.",
        "Requests are shown only when they fail; start-up messages are in .devdata/startup.log.",
    ]
    if stripe_port is not None:
        lines += [
            "Payments go to a local fake Stripe: subscribe with the card 4242 4242 4242 4242",
            f"  (localstripe on port {stripe_port}, PORT+420; its data in .devdata/).",
        ]
    return "\n".join([*lines, ""])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    args = parser.parse_args(argv)
    # Read by the settings of this process and of every child.
    os.environ["PORT"] = str(args.port)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    # A fake Stripe of our own only when the settings point at it (real test keys don't).
    api_base: str = settings.STRIPE_API_BASE
    local_stripe = api_base == f"http://127.0.0.1:{settings.LOCAL_STRIPE_PORT}"
    stripe_port = settings.LOCAL_STRIPE_PORT if local_stripe else None
    ports = {"web": args.port} | ({"stripe": stripe_port} if stripe_port else {})
    problem = _why_not_start(ports)
    if problem:
        print(problem, file=sys.stderr)
        return 1

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stopping.set())
    data_dir = devservices.data_dir()
    pidfile = data_dir / devservices.RUNNER_PIDFILE
    pidfile.write_text(str(os.getpid()))
    # Django's "do not use in production" warning at every start: `make run` is development.
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DJANGO_RUNSERVER_HIDE_WARNING": "true"}
    if stripe_port:
        env["LOCAL_STRIPE_PORT"] = str(stripe_port)
    children: dict[str, Child] = {}
    exit_code = 0
    try:
        for name, command in _commands(args.port, stripe_port).items():
            children[name] = Child(
                name, command, {**env, "DB_APPLICATION_NAME": f"placette-{name}"}
            )
        not_up = _wait_until_up(children, ports, stopping)
        ended = _first_exit(children)
        if not_up and not stopping.is_set() and ended is None:
            terminal.release(startup_log=data_dir / STARTUP_LOG, show=True)
            terminal.say(f"Not up after {START_TIMEOUT_SECONDS} s: {', '.join(not_up)}.")
            exit_code = 1
        elif not stopping.is_set() and ended is None:
            if stripe_port:
                try:
                    _register_local_webhook(settings, args.port)
                except OSError as error:
                    terminal.say(f"localstripe refused the webhook ({error}): no payment events.")
            terminal.release(startup_log=data_dir / STARTUP_LOG)
            terminal.say(_banner(args.port, stripe_port))
            connections.close_all()  # the runner itself keeps none while it serves
            while not stopping.wait(0.5) and _first_exit(children) is None:
                pass
        ended = _first_exit(children)
        if ended and not stopping.is_set():
            terminal.release(startup_log=data_dir / STARTUP_LOG, show=True)
            terminal.say(f"{ended[0]} stopped (exit code {ended[1]}); stopping the rest.")
            exit_code = ended[1] or 1
    finally:
        _stop_all(children)
        terminal.release(startup_log=data_dir / STARTUP_LOG, show=exit_code != 0)
        pidfile.unlink(missing_ok=True)
    terminal.say(
        "Placette stopped. `make run` again reuses the data; `make stop` stops the databases."
    )
    return exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
