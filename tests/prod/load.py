"""The load of `make prod-check`: 200 residents of the 50 towns over HTTPS through Caddy.

locust runs as its own process (tests/prod/locustfile.py): as it is imported it patches the
standard library with gevent, which would change how prod_check.py's threads, subprocesses and
signals behave. This module starts it, and reads what it measured from its CSV files and the
failures it wrote one a line with their time.

    load = Load(stack, people)          # the towns' content seeded once (seed.py content)
    load.start(users=200, seconds=120)  # returns at once; the residents log in, then act
    ...                                 # a fault, while they browse, post, message, answer
    load.failures(since, until)         # what they saw meanwhile
    figures = load.wait()               # rps, p95_ms, p99_ms, requests, errors, first errors
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from machine import HOME, ROOT_DOMAIN, StackError, log
from stack import Stack

LOCUST = Path(sys.executable).with_name("locust")  # the tools' venv, beside its python
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
PASSWORD = "prod-check-résident-2026"  # noqa: S105  (tests/prod/seed.py's, loopback only)
USERS = 200
SECONDS = 120
# Residents arrive two a second: each login checks a password (PBKDF2, 0.5 s of a core here),
# so faster arrivals queue every page behind the logins.
SPAWN_RATE = 2.0
# Seconds a resident reads a page before the next action, at random between the two.
THINK_MIN, THINK_MAX = 5.0, 15.0


class Load:
    """One locust run at a time; its files in .prodcheck/load/ (start() clears them)."""

    def __init__(self, stack: Stack, people: list[dict[str, str]]) -> None:
        self.stack = stack
        self.folder = HOME / "load"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.plan = self.folder / "plan.json"
        self.failures_file = self.folder / "failures.jsonl"
        self.sessions = self.folder / "sessions.json"
        self.steady = self.folder / "steady.json"
        self.csv = self.folder / "stats"
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        if not self.plan.exists():
            self._write_plan(people)

    def _write_plan(self, people: list[dict[str, str]]) -> None:
        """The residents with their town's content: its consultation, offers, ideas, and the
        conversations each resident is in."""
        from prod_check import app_script  # the seeding helpers live there

        started = time.monotonic()
        towns = {town["slug"]: town for town in app_script(self.stack, "content")}
        log(f"Content for the load in {len(towns)} towns in {time.monotonic() - started:.0f} s")
        residents = []
        for person in people:
            town = towns[person["slug"]]
            number = int(person["email"].split("@")[0].removeprefix("habitant"))
            residents.append(
                {
                    **person,
                    "number": number,
                    "consultation": town["consultation"],
                    "questions": town["questions"],
                    "offers": town["offers"],
                    "ideas": town["ideas"],
                    "conversations": town["conversations"][person["email"]],
                }
            )
        plan = {
            "root_domain": ROOT_DOMAIN,
            "port": self.stack.ports.https,
            "ca": str(self.stack.caddy_root_certificate),
            "password": PASSWORD,
            "residents": residents,
        }
        self.plan.write_text(json.dumps(plan, ensure_ascii=False))

    def start(
        self,
        users: int = USERS,
        seconds: float = SECONDS,
        spawn_rate: float = SPAWN_RATE,
        think: tuple[float, float] = (THINK_MIN, THINK_MAX),
    ) -> None:
        """locust in the background: `users` residents arrive at `spawn_rate` a second and log
        in (or take back their session of the last run), then act for `seconds` more. The
        statistics start once all are in, so the figures are those of `users` residents at
        once (the failures file keeps every failure since now)."""
        if self.process is not None and self.process.poll() is None:
            raise StackError("The load is already running")
        for old in self.folder.glob("stats_*.csv"):
            old.unlink()
        self.failures_file.write_text("")
        self.steady.unlink(missing_ok=True)
        # A bound only: locust quits by itself `seconds` after the last resident is in.
        run_time = int(seconds + users / spawn_rate + 300)
        command = [
            str(LOCUST),
            "--headless",
            "--locustfile",
            str(LOCUSTFILE),
            "--users",
            str(users),
            "--spawn-rate",
            str(spawn_rate),
            "--run-time",
            f"{run_time}s",
            "--stop-timeout",
            "20",
            "--csv",
            str(self.csv),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--logfile",
            str(self.stack.log_file("locust")),
        ]
        env = {
            **os.environ,
            "LOAD_PLAN": str(self.plan),
            "LOAD_FAILURES": str(self.failures_file),
            "LOAD_SESSIONS": str(self.sessions),
            "LOAD_STEADY": str(self.steady),
            "LOAD_SECONDS": str(seconds),
            "LOAD_THINK_MIN": str(think[0]),
            "LOAD_THINK_MAX": str(think[1]),
        }
        log(
            f"Load: {users} residents arriving {spawn_rate:g}/s, then {seconds:g} s of "
            f"browsing, posting, messaging and answering ({think[0]:g}-{think[1]:g} s between "
            "actions)"
        )
        self.started_at = time.time()
        output = self.stack.log_file("locust-output").open("ab")
        self.process = subprocess.Popen(  # noqa: S603  (our own command)
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def measuring_since(self) -> float | None:
        """When every resident was in and the statistics began (time.time()), once they are."""
        if not self.steady.exists():
            return None
        return float(json.loads(self.steady.read_text())["t"])

    def wait(self, timeout: float | None = None) -> dict[str, Any]:
        """Until locust is done (it stops itself after its run time); its figures."""
        if self.process is None:
            raise StackError("The load was not started")
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
        return self.figures()

    def stop(self) -> None:
        """Stop locust now (it writes its statistics as it goes)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def failures(self, since: float = 0.0, until: float | None = None) -> list[dict[str, Any]]:
        """The failed requests started between `since` and `until` (time.time() values):
        {"t", "name", "status", "message"}, the whole run's since start()."""
        rows = []
        text = self.failures_file.read_text() if self.failures_file.exists() else ""
        for line in text.splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if row["t"] >= since and (until is None or row["t"] <= until):
                rows.append(row)
        return rows

    def figures(self) -> dict[str, Any]:
        """What locust measured since all the residents arrived (it writes its files every
        second, so this may be read while it runs), and every failure since start()."""
        total: dict[str, str] = {}
        stats = Path(f"{self.csv}_stats.csv")
        if stats.exists():
            with stats.open(newline="") as file:
                total = next((r for r in csv.DictReader(file) if r["Name"] == "Aggregated"), {})
        failures = self.failures()
        first: dict[str, int] = {}
        for row in failures:
            key = f"{row['name']}: {row['message']}"
            first[key] = first.get(key, 0) + 1
        return {
            "rps": round(float(total.get("Requests/s") or 0), 1),
            "p95_ms": _number(total.get("95%")),
            "p99_ms": _number(total.get("99%")),
            "median_ms": _number(total.get("Median Response Time")),
            "requests": int(total.get("Request Count") or 0),
            "errors": len(failures),
            "first_errors": list(first.items())[:10],
        }

    def per_page(self) -> list[dict[str, str]]:
        """locust's row for each page (name, counts, percentiles), for the log."""
        stats = Path(f"{self.csv}_stats.csv")
        if not stats.exists():
            return []
        with stats.open(newline="") as file:
            return [row for row in csv.DictReader(file) if row["Name"] != "Aggregated"]


def _number(value: str | None) -> int:
    try:
        return int(float(value or 0))
    except ValueError:  # "N/A" before the first request
        return 0


def run_load(
    stack: Stack, people: list[dict[str, str]], users: int = USERS, seconds: float = SECONDS
) -> dict[str, Any]:
    """The load of issue 12, start to end; its figures (logged page by page)."""
    load = Load(stack, people)
    load.start(users=users, seconds=seconds)
    figures = load.wait(timeout=seconds + users / SPAWN_RATE + 400)
    for row in load.per_page():
        log(
            f"  {row['Type']} {row['Name']}: {row['Request Count']} requests, "
            f"{row['Failure Count']} failed, median {row['50%']} ms, p95 {row['95%']} ms"
        )
    log(
        f"Load: {figures['requests']} requests at {figures['rps']:.1f}/s, p95 "
        f"{figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, {figures['errors']} errors "
        # The times depend on what else the machine runs: say how busy it was.
        f"(load average {' '.join(f'{n:.1f}' for n in os.getloadavg())} on "
        f"{os.cpu_count()} cores)"
    )
    for message, count in figures["first_errors"]:
        log(f"  {count} × {message}")
    return figures
