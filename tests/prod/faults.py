"""`make prod-check`'s faults: each part broken on purpose while the load runs.

    fault_postgres_restart   PostgreSQL stopped (fast shutdown) for 10 s, then started: while it
                             is away every request answers the French 503 page within seconds;
                             service resumes without restarting gunicorn; nothing residents
                             posted before is lost.
    fault_redis_stop         Redis stopped for 30 s: logged-in residents keep being served (their
                             sessions are in PostgreSQL), a mail asked meanwhile is kept
                             (tenants.task_outbox) and delivered once Redis is back.
    fault_gunicorn_worker    a gunicorn worker killed (SIGKILL): the master starts another, the
                             site goes on; only the requests that worker held may fail.
    fault_celery_worker      the Celery worker killed (SIGKILL) in the middle of a data export,
                             then started again: the task comes back (acks_late), runs once more
                             and makes one archive (idempotent), not two.
    fault_media_disk_full    the media disk full: a photo is refused with a French message, the
                             text typed is shown again, no post and no half-written file; once
                             there is room the same post goes through.
    fault_slow_clients       10 connections sending one header byte every 2 s for 40 s, and 10
                             sending a form's body at that pace: Caddy holds them (its header
                             timeout, its request buffer), gunicorn's threads never see them,
                             normal requests keep their p95.

Each prints `fault_<name>: survived`, or `fault_<name>: broke: <what>`. A `Witness` (logged-in
residents loading their home page over HTTPS through Caddy, a few at a time) records what a
resident saw, answer by answer; the load (tests/prod/load.py) runs behind it.
"""

from __future__ import annotations

import html
import json
import os
import random
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from machine import (
    APP_PYTHON,
    HOME,
    LOOPBACK,
    REPO,
    ROOT_DOMAIN,
    StackError,
    as_app,
    log,
    owned_by_app,
)
from posting import noise_png, post_offer
from stack import Stack

FRENCH_503 = "Le site est momentanément indisponible"
# What "fast" means for a failing request: PgBouncer gives up waiting after 5 s
# (deploy/pgbouncer/pgbouncer.ini), the app then renders its 503.
FAIL_FAST_SECONDS = 8.0


@dataclass(frozen=True)
class Answer:
    at: float  # time.monotonic() when it was asked
    seconds: float
    status: int  # 0: no answer (connection error, timeout)
    greeted: bool  # the page greets the resident who asked
    french_503: bool
    detail: str = ""


class Witness:
    """Residents loading their home page over HTTPS through Caddy, one request after another
    each, every answer recorded."""

    def __init__(self, stack: Stack, people: list[dict[str, str]], browsers: int = 4) -> None:
        from prod_check import log_in

        chosen = random.Random(12).sample(people, min(browsers, len(people)))
        self.residents = [
            (stack.town_url(p["slug"]), p["name"], log_in(stack, p["slug"], p["email"]))
            for p in chosen
        ]
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _watch(self, url: str, name: str, browser: requests.Session) -> None:
        while not self._stop.is_set():
            asked = time.monotonic()
            try:
                response = browser.get(url, timeout=30, allow_redirects=False)
                text = html.unescape(response.text)
                answer = Answer(
                    asked,
                    time.monotonic() - asked,
                    response.status_code,
                    response.status_code == 200 and name in text,
                    response.status_code == 503 and FRENCH_503 in text,
                    "" if response.status_code == 200 else text[:200],
                )
            except requests.RequestException as error:
                answer = Answer(asked, time.monotonic() - asked, 0, False, False, str(error)[:200])
            self.answers.append(answer)
            self._stop.wait(0.3)

    def start(self) -> Witness:
        for url, name, browser in self.residents:
            thread = threading.Thread(target=self._watch, args=(url, name, browser), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=40)

    def between(self, start: float, end: float) -> list[Answer]:
        return [a for a in list(self.answers) if start <= a.at < end]

    def first_greeting_after(self, moment: float, timeout: float = 90) -> float | None:
        """Seconds from `moment` until a resident was greeted again, or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            greeted = [a for a in self.between(moment, float("inf")) if a.greeted]
            if greeted:
                return greeted[0].at + greeted[0].seconds - moment
            time.sleep(0.5)
        return None


def p95(answers: list[Answer]) -> float:
    seconds = sorted(a.seconds for a in answers)
    return seconds[int(0.95 * (len(seconds) - 1))] * 1000 if seconds else 0.0


def summary(answers: list[Answer]) -> str:
    counts: dict[str, int] = {}
    for a in answers:
        key = "greeted" if a.greeted else ("503 fr" if a.french_503 else str(a.status))
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{n} {key}" for key, n in sorted(counts.items())) or "no answer"


# -- what residents made, before and after -----------------------------------------------------
KEPT_TABLES = (
    "accounts_user",
    "mutual_aid_post",
    "mutual_aid_message",
    "participation_idea",
    "participation_ideacomment",
    "participation_consultationresponse",
)


def residents_data(stack: Stack) -> dict[str, tuple[int, int]]:
    """Per town and table: the rows and the highest id (straight from PostgreSQL)."""
    schemas = stack._psql(
        "SELECT schema_name FROM public.tenants_collectivite WHERE wiped_at IS NULL "
        "AND schema_name <> 'public' ORDER BY 1",
        database="placette",
    ).split()
    parts = [
        f"SELECT '{schema}.{table}', count(*), coalesce(max(id), 0) FROM \"{schema}\".{table}"  # noqa: S608
        for schema in schemas
        for table in KEPT_TABLES
    ]
    found: dict[str, tuple[int, int]] = {}
    for line in stack._psql(" UNION ALL ".join(parts), database="placette").splitlines():
        key, count, highest = line.split("|")
        found[key] = (int(count), int(highest))
    return found


def lost_rows(stack: Stack, before: dict[str, tuple[int, int]]) -> int:
    """Rows present before that are gone now (rows are only added while the faults run)."""
    parts = [
        f"SELECT '{key}', count(*) FROM \"{key.split('.')[0]}\".{key.split('.')[1]} "  # noqa: S608
        f"WHERE id <= {highest}"
        for key, (_, highest) in before.items()
    ]
    now = dict(
        line.split("|")
        for line in stack._psql(" UNION ALL ".join(parts), database="placette").splitlines()
    )
    return sum(max(0, count - int(now.get(key, 0))) for key, (count, _) in before.items())


def schema_of(stack: Stack, slug: str) -> str:
    return stack._psql(
        f"SELECT schema_name FROM public.tenants_collectivite WHERE slug = '{slug}'",  # noqa: S608
        database="placette",
    )


def fault_actions(stack: Stack, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        as_app([str(APP_PYTHON), str(Path(__file__).with_name("fault_actions.py")), *args]),
        cwd=REPO,
        env=stack.app_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode:
        raise StackError(f"fault_actions.py {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- the faults -------------------------------------------------------------------------------
def postgres_restart(stack: Stack, witness: Witness, people: list[dict[str, str]]) -> list[str]:
    broken: list[str] = []
    before = residents_data(stack)
    master = stack.app_pid("gunicorn")
    postgres = stack.processes["postgresql"]
    stopped = time.monotonic()
    postgres.stop(stop_signal=signal.SIGINT)  # fast shutdown: sessions ended, data kept
    time.sleep(10)
    back = time.monotonic()
    postgres.start()
    recovered = witness.first_greeting_after(back)
    away = witness.between(stopped + 1, back)
    log(f"  PostgreSQL away 10 s: {summary(away)}; p95 {p95(away):.0f} ms")
    slow = [a for a in away if a.seconds > FAIL_FAST_SECONDS]
    wrong = [a for a in away if not (a.french_503 or a.greeted)]
    if not away:
        broken.append("no request answered while PostgreSQL was away")
    if slow:
        broken.append(f"{len(slow)} answers took over {FAIL_FAST_SECONDS:.0f} s")
    if wrong:
        broken.append(f"{len(wrong)} answers neither the French 503 nor the page: {wrong[0]}")
    if recovered is None:
        broken.append("residents were not served again within 90 s")
    else:
        log(f"  Served again {recovered:.1f} s after PostgreSQL started")
    if stack.app_pid("gunicorn") != master:
        broken.append("gunicorn was restarted")
    lost = lost_rows(stack, before)
    if lost:
        broken.append(f"{lost} rows made before the restart are gone")
    return broken


def mail_count(stack: Stack, address: str) -> int:
    folder = Path(stack.app_env()["EMAIL_FILE_PATH"])
    return sum(
        file.read_text(errors="replace").count(f"To: {address}\n")
        for file in (folder.glob("*.log") if folder.exists() else [])
    )


def ask_password_reset(stack: Stack, slug: str, email: str) -> int:
    """Anonymous: the "forgotten password" form, as a resident fills it in."""
    from prod_check import session

    browser = session(stack)
    url = stack.town_url(slug, "/accounts/password/reset/")
    page = browser.get(url, timeout=30)
    token = page.cookies.get("csrftoken") or ""
    marker = 'name="csrfmiddlewaretoken" value="'
    if marker in page.text:
        token = page.text.split(marker, 1)[1].split('"', 1)[0]
    done = browser.post(
        url,
        data={"csrfmiddlewaretoken": token, "email": email},
        headers={"Referer": url},
        timeout=30,
        allow_redirects=False,
    )
    return done.status_code


def redis_stop(stack: Stack, witness: Witness, people: list[dict[str, str]]) -> list[str]:
    broken: list[str] = []
    resident = people[-1]
    mails_before = mail_count(stack, resident["email"])
    redis = stack.processes["redis"]
    stopped = time.monotonic()
    redis.stop()
    time.sleep(3)
    status = ask_password_reset(stack, resident["slug"], resident["email"])
    if status != 302:
        broken.append(f"the password reset form answered {status} while Redis was away")
    kept = fault_actions(stack, "kept-tasks")["kept"]
    time.sleep(max(0.0, 30 - (time.monotonic() - stopped)))
    back = time.monotonic()
    redis.start()
    # Celery's worker may exit on the lost connection (kombu's restore of unacknowledged
    # messages meets a closed pool: "Unrecoverable error"); its supervisor starts it again.
    time.sleep(3)
    revived = stack.revive()
    away = witness.between(stopped + 0.5, back)
    log(f"  Redis away 30 s: {summary(away)}; p95 {p95(away):.0f} ms; {kept} tasks kept")
    refused = [a for a in away if not a.greeted]
    if not away:
        broken.append("no request answered while Redis was away")
    if refused:
        broken.append(f"{len(refused)} residents not served while Redis was away: {refused[0]}")
    if kept < 1:
        broken.append("the mail asked while Redis was away was not kept")
    deadline = time.monotonic() + 120
    while mail_count(stack, resident["email"]) <= mails_before:
        if time.monotonic() > deadline:
            broken.append("the mail asked while Redis was away never arrived")
            break
        time.sleep(1)
    else:
        log(f"  The mail asked meanwhile arrived {time.monotonic() - back:.0f} s after Redis")
    if fault_actions(stack, "kept-tasks")["kept"]:
        broken.append("tasks are still kept after Redis came back")
    if revived:
        log(f"  {', '.join(revived)} exited on the lost connection and was started again")
    return broken


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def gunicorn_worker(stack: Stack, witness: Witness, people: list[dict[str, str]]) -> list[str]:
    broken: list[str] = []
    master = stack.app_pid("gunicorn")
    workers = _children(master)
    if not workers:
        return ["gunicorn has no worker to kill"]
    victim = workers[0]
    killed = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while True:
        now = [pid for pid in _children(master) if pid != victim]
        if len(now) >= len(workers):
            break
        if time.monotonic() > deadline:
            broken.append(f"gunicorn runs {len(now)} workers of {len(workers)} a minute later")
            break
        time.sleep(0.5)
    time.sleep(5)
    after = witness.between(killed, time.monotonic())
    failed = [a for a in after if not a.greeted]
    log(f"  Worker {victim} killed: {summary(after)}; workers now {_children(master)}")
    # A request the killed worker held at that moment is lost with it; more is not.
    if len(failed) > stack.web_threads:
        broken.append(f"{len(failed)} failed answers after the kill: {failed[0]}")
    if witness.first_greeting_after(killed + 1, timeout=30) is None:
        broken.append("residents were not served after the kill")
    return broken


BIG_MEDIA_MB = 300


def celery_worker(stack: Stack, witness: Witness, people: list[dict[str, str]]) -> list[str]:
    """Kill the worker while it builds a town's data export; start it again; the export comes
    back (acks_late, the broker's visibility timeout) and is built once."""
    broken: list[str] = []
    town = people[0]
    # The town's media folder is the app's (it may not exist yet): made as its user would.
    media = owned_by_app(Path(stack.app_env()["MEDIA_ROOT"]) / schema_of(stack, town["slug"]))
    big = media / "prodcheck-archive-weight.bin"
    # Random bytes do not compress: the archive takes seconds to write, time to kill the worker.
    with big.open("wb") as file:
        for _ in range(BIG_MEDIA_MB):
            file.write(os.urandom(1024 * 1024))
    asked = fault_actions(stack, "export", town["slug"])
    state: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 120
        while True:  # until the worker took it
            state = fault_actions(stack, "export-state", str(asked["id"]))
            if state["attempts"] >= 1 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        if state["attempts"] < 1:
            return [f"no worker took the export in 120 s: {state}"]
        worker = stack.processes["celery worker"]
        worker.kill(sig=signal.SIGKILL)
        killed_state = fault_actions(stack, "export-state", str(asked["id"]))
        log(f"  Worker killed with the export {killed_state}")
        if killed_state["state"] != "pending":
            broken.append(f"the export was done before the kill ({killed_state['state']})")
        stack.restart_celery_worker()
        started = time.monotonic()
        deadline = started + 240
        while True:
            state = fault_actions(stack, "export-state", str(asked["id"]))
            if state["state"] != "pending" or time.monotonic() > deadline:
                break
            time.sleep(2)
        log(f"  After the restart: {state} ({time.monotonic() - started:.0f} s)")
    finally:
        big.unlink(missing_ok=True)
    if state.get("state") != "ready":
        broken.append(f"the export was not built after the worker came back: {state}")
    if state.get("attempts") != 2:
        broken.append(f"the export ran {state.get('attempts')} times, not 2 (killed, then done)")
    folder = HOME / "exports" / asked["schema"]
    archives = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    if archives != [f"export-{asked['id']}.zip"]:
        broken.append(f"the town's export folder holds {archives}")
    return broken


def _post_with_photo(
    stack: Stack, browser: requests.Session, slug: str, title: str
) -> requests.Response:
    return post_offer(
        browser,
        stack.town_url(slug, "/entraide/nouvelle-annonce/offre/"),
        title,
        "Des légumes du jardin, à venir chercher le samedi.",
        photo=(noise_png(), "Un panier de légumes"),
    )


def media_disk_full(stack: Stack, witness: Witness, people: list[dict[str, str]]) -> list[str]:
    from prod_check import log_in

    broken: list[str] = []
    media = Path(stack.app_env()["MEDIA_ROOT"])
    if not os.path.ismount(media):
        return [f"{media} is not its own disk (prod-check mounts a small one as root)"]
    resident = people[1]
    browser = log_in(stack, resident["slug"], resident["email"])
    filler = media / "prodcheck-filler"
    files_before = sorted(str(p) for p in media.rglob("*") if p.is_file())
    title = f"Panier de légumes n° {random.randint(1, 10**6)}"
    try:
        with filler.open("wb", buffering=0) as file:
            try:
                while True:
                    file.write(b"\0" * (1024 * 1024))
            except OSError:
                pass  # full
        refused = _post_with_photo(stack, browser, resident["slug"], title)
        text = html.unescape(refused.text)
        log(f"  A photo posted on a full disk: {refused.status_code}")
        # The form again, with its errors (the app answers an invalid form with 400).
        told = "notre espace de stockage est plein" in text
        if refused.status_code not in (200, 400) or not told:
            broken.append(f"the full disk answered {refused.status_code}: {text[:300]}")
        elif title not in text:
            broken.append("the text typed was not shown again")
        files_now = sorted(str(p) for p in media.rglob("*") if p.is_file())
        extra = set(files_now) - set(files_before) - {str(filler)}
        if extra:
            broken.append(f"files left on the full disk: {sorted(extra)[:3]}")
    finally:
        filler.unlink(missing_ok=True)
    done = _post_with_photo(stack, browser, resident["slug"], title)
    if done.status_code != 302:
        broken.append(f"with room again the post answered {done.status_code}")
    return broken


SLOW_CLIENTS = 10  # of each kind
SLOW_SECONDS = 40


def slow_clients(stack: Stack, witness: Witness, people: list[dict[str, str]]) -> list[str]:
    """10 connections trickling their headers, one byte every 2 s, and 10 sending a form's
    headers whole, then its body at the same pace, for 40 s. The forms would reach Django's
    CSRF check, which reads the body (the town's own origin, its CSRF cookie): had Caddy
    forwarded them before their body was whole, they would hold gunicorn's threads."""
    broken: list[str] = []
    context = ssl.create_default_context(cafile=str(stack.caddy_root_certificate))
    slug = people[0]["slug"]
    host = f"{slug}.{ROOT_DOMAIN}"
    from prod_check import session

    browser = session(stack)
    browser.get(stack.town_url(slug, "/accounts/login/"), timeout=30)
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies)
    header = f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: slow\r\nX-Pad: {'a' * 64}\r\n"
    body = "csrfmiddlewaretoken=" + "a" * 64  # 84 bytes: 168 s at this pace
    form = (
        f"POST /accounts/login/ HTTP/1.1\r\nHost: {host}\r\nUser-Agent: slow\r\n"
        f"Origin: https://{host}\r\nCookie: {cookies}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    stop = threading.Event()
    held: list[int] = []

    def trickle(whole: str, slowly: str) -> None:
        try:
            raw = socket.create_connection((LOOPBACK, stack.ports.https), timeout=10)
            with context.wrap_socket(raw, server_hostname=host) as tls:
                tls.sendall(whole.encode())
                sent = 0
                for byte in slowly.encode():
                    if stop.wait(2):
                        break
                    tls.sendall(bytes([byte]))
                    sent += 1
                held.append(sent)
        except OSError:
            held.append(-1)  # cut off by the proxy: what its timeouts are for

    baseline_end = time.monotonic()
    baseline = witness.between(baseline_end - 20, baseline_end)
    threads = [
        threading.Thread(target=trickle, args=args, daemon=True)
        for args in [("", header), (form, body)]
        for _ in range(SLOW_CLIENTS)
    ]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    stop.wait(SLOW_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    during = witness.between(started, time.monotonic())
    log(
        f"  Slow clients: before p95 {p95(baseline):.0f} ms ({len(baseline)}), during "
        f"{p95(during):.0f} ms ({len(during)}); {summary(during)}; cut off: {held.count(-1)}"
    )
    failed = [a for a in during if not a.greeted]
    if failed:
        broken.append(f"{len(failed)} normal requests failed: {failed[0]}")
    if p95(during) > max(2 * p95(baseline), p95(baseline) + 300):
        broken.append(f"p95 went from {p95(baseline):.0f} ms to {p95(during):.0f} ms")
    return broken


FAULTS: dict[str, Callable[[Stack, Witness, list[dict[str, str]]], list[str]]] = {
    "postgres_restart": postgres_restart,
    "redis_stop": redis_stop,
    "gunicorn_worker": gunicorn_worker,
    "celery_worker": celery_worker,
    "media_disk_full": media_disk_full,
    "slow_clients": slow_clients,
}


def run_faults(
    stack: Stack, people: list[dict[str, str]], load: Any = None, only: list[str] | None = None
) -> dict[str, str]:
    """Every fault in turn (while `load` runs, if given); `{name: "survived" | "broke: ..."}`."""
    if load is not None:  # every resident in before anything breaks
        deadline = time.monotonic() + 600
        while load.measuring_since is None and time.monotonic() < deadline:
            time.sleep(2)
    witness = Witness(stack, people).start()
    outcome: dict[str, str] = {}
    try:
        time.sleep(20)  # the baseline the slow clients are compared with
        for name, fault in FAULTS.items():
            if only and name not in only:
                continue
            log(f"Fault {name}")
            started = time.time()
            try:
                broken = fault(stack, witness, people)
            except (StackError, OSError, requests.RequestException, KeyError) as error:
                broken = [f"{type(error).__name__}: {error}"]
            if load is not None:
                failures = load.failures(started, time.time())
                log(f"  The load meanwhile: {len(failures)} failures")
            outcome[name] = "survived" if not broken else "broke: " + "; ".join(broken)
            print(f"fault_{name}: {outcome[name]}", flush=True)
            time.sleep(5)  # the next fault from a steady state
    finally:
        witness.stop()
        shutil.rmtree(HOME / "fault-scratch", ignore_errors=True)
    return outcome
