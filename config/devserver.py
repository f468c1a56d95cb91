"""`make run`: the web app, a Celery worker and beat in one terminal; Ctrl-C stops all three."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent


def _banner(port: int) -> str:
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
    lines += [
        f"  {str(role.label):<12} {name:<24} {local}@<subdomain>.example"
        for local, name, role in PEOPLE
    ]
    lines += [
        "  e.g. admin@chavenay.example on http://chavenay.localhost:" + str(port) + "/",
        f"  Placette staff, root domain only, TOTP set up at first login: {OPS_EMAIL}",
        "Emails (sign-up confirmations...) are printed in this terminal by the worker.",
        "Payments go to a local fake Stripe: subscribe with the card 4242 4242 4242 4242.",
        "",
    ]
    return "\n".join(lines)


def _register_local_webhook(settings: Any, port: int) -> None:
    """Tell localstripe where to send its signed events (it forgets at every start)."""
    data = urllib.parse.urlencode(
        {
            "url": f"http://{settings.ROOT_DOMAIN}:{port}/billing/stripe/webhook/",
            "secret": settings.STRIPE_WEBHOOK_SECRET,
        }
    ).encode()
    url = f"{settings.STRIPE_API_BASE}/_config/webhooks/placette"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, data=data, timeout=2).close()  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.3)
    print("localstripe did not start: subscribing will not work in this demo.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    args = parser.parse_args()
    python = sys.executable
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PORT": str(args.port)}
    commands = {
        "web": [python, "manage.py", "runserver", f"0.0.0.0:{args.port}"],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
        ],
        "beat": [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(BASE_DIR / ".devdata" / "celerybeat-schedule"),
        ],
    }
    os.environ["PORT"] = str(args.port)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    local_stripe = settings.STRIPE_API_BASE.startswith("http://127.0.0.1:")
    if local_stripe:
        # A fake Stripe for the demo: subscribing works with the test card 4242 4242 4242 4242.
        commands["stripe"] = [
            python,
            "-m",
            "localstripe",
            "--port",
            str(settings.LOCAL_STRIPE_PORT),
        ]
    processes = {
        name: subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)
        for name, command in commands.items()
    }
    if local_stripe:
        _register_local_webhook(settings, args.port)
    print(_banner(args.port), flush=True)

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"{name} stopped (exit code {process.returncode}); stopping the rest.")
                exit_code = process.returncode or 1
                stopping = True
        time.sleep(0.5)

    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    print("Placette stopped. `make run` again reuses the data; `make stop` stops the databases.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
