"""The load of `make prod-check`: residents of the 50 towns over HTTPS through Caddy.

Run by tests/prod/load.py as its own process (`locust --headless -f tests/prod/locustfile.py`):
locust patches the standard library with gevent as it is imported, which prod_check.py's
threads and subprocesses must not get. What it needs comes in the JSON file named by
LOAD_PLAN (load.py writes it): the HTTPS port, Caddy's root certificate, the residents with
their town's content (tests/prod/seed.py content).

Each simulated user is one resident, logged in through the allauth login form, from an address
of its own (127.0.x.y: the per-address rate limits see 200 people, not one); their session is
kept in LOAD_SESSIONS for the next run, as a browser keeps its cookie. Once every user has
arrived and logged in, the statistics start afresh and run for LOAD_SECONDS, then locust
quits. They browse, post, message and answer with a few seconds of reading between actions.
Every answer is checked (its status, the resident's name in the page, a marker of the page
asked for): anything else is a failure, also written with its time to LOAD_FAILURES (one JSON
object a line) so that a fault can be matched with what the residents saw.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import socket
import time
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, events, task
from locust.clients import LocustHttpAdapter
from locust.env import Environment
from urllib3 import PoolManager

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
FAILURES = Path(os.environ["LOAD_FAILURES"])
SESSIONS = Path(os.environ["LOAD_SESSIONS"])
STEADY = Path(os.environ["LOAD_STEADY"])  # when the measured part began, written here
SECONDS = float(os.environ["LOAD_SECONDS"])
ARRIVAL_LIMIT = 180  # seconds for every user to log in once all are spawned
SETTLE = 15  # seconds for the pages queued behind the last logins to be served
ROOT_DOMAIN = PLAN["root_domain"]
THINK = (float(os.environ.get("LOAD_THINK_MIN", 5)), float(os.environ.get("LOAD_THINK_MAX", 15)))
READ = (1.0, 4.0)  # reading a list before opening one of its items
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
OPTION = re.compile(r'<option value="(\d+)"[^>]*>([^<]+)</option>')
CATEGORIES = ("Courses", "Bricolage", "Jardinage", "Animaux", "Autre")

_getaddrinfo = socket.getaddrinfo


def _loopback(host: Any, *args: Any, **kwargs: Any) -> Any:
    """Every town's name resolves to this machine, as the wildcard DNS record would."""
    if isinstance(host, str) and (host == ROOT_DOMAIN or host.endswith(f".{ROOT_DOMAIN}")):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback
# Users take the residents in turn, one town after the other (4 a town for 200 users).
_residents = sorted(PLAN["residents"], key=lambda r: (r["number"], r["slug"]))
_next = itertools.count()
_sessions: dict[str, list[dict[str, Any]]] = (
    json.loads(SESSIONS.read_text()) if SESSIONS.exists() else {}
)
_ready: set[int] = set()  # users logged in


@events.spawning_complete.add_listener
def _spawned(user_count: int, **_: Any) -> None:
    gevent.spawn(_measure, user_count)


def _measure(user_count: int) -> None:
    """Statistics from when every resident is in (and what queued behind their logins is
    served), for SECONDS; then the end."""
    deadline = time.monotonic() + ARRIVAL_LIMIT
    while len(_ready) < user_count and time.monotonic() < deadline:
        gevent.sleep(0.5)
    gevent.sleep(SETTLE)
    runner = _environment.runner
    assert runner is not None
    runner.stats.reset_all()
    STEADY.write_text(json.dumps({"t": time.time(), "ready": len(_ready), "users": user_count}))
    gevent.sleep(SECONDS)
    runner.quit()


_environment: Environment


@events.init.add_listener
def _init(environment: Environment, **_: Any) -> None:
    global _environment
    _environment = environment


@events.quitting.add_listener
def _keep_sessions(**_: Any) -> None:
    SESSIONS.write_text(json.dumps(_sessions))


@events.request.add_listener
def _record_failure(
    request_type: str, name: str, response: Any, exception: Any, start_time: float, **_: Any
) -> None:
    if exception is None:
        return
    status = getattr(response, "status_code", None) or 0
    line = {
        "t": start_time,
        "name": f"{request_type} {name}",
        "status": status,
        "message": str(exception)[:300],
    }
    with FAILURES.open("a") as file:
        file.write(json.dumps(line, ensure_ascii=False) + "\n")


def _title(text: str) -> str:
    found = TITLE.search(text)
    return " ".join(html.unescape(found.group(1)).split()) if found else text[:120]


class Resident(HttpUser):
    host = f"https://{ROOT_DOMAIN}:{PLAN['port']}"
    wait_time = between(*THINK)

    def on_start(self) -> None:
        n = next(_next)
        self.me = _residents[n % len(_residents)]
        self.town = f"https://{self.me['slug']}.{ROOT_DOMAIN}:{PLAN['port']}"
        self.name = self.me["name"]
        self.client.verify = PLAN["ca"]
        source = f"127.0.{1 + n // 250}.{1 + n % 250}"
        pool = PoolManager(source_address=(source, 0), maxsize=2)
        self.client.mount("https://", LocustHttpAdapter(pool_manager=pool))
        self.number = n
        self.logged_in = False
        for cookie in _sessions.get(self.me["email"], []):
            self.client.cookies.set(**cookie)
        if not (_sessions.get(self.me["email"]) and self.resume()):
            self.log_in()

    # -- one request, checked ------------------------------------------------------------
    def fetch(
        self,
        path: str,
        name: str,
        *,
        marker: str = "",
        data: dict[str, Any] | None = None,
        expect: int = 200,
        redirect: str = "",
        greet: bool = True,
    ) -> Any:
        """GET (or POST `data`) a page of the resident's town; the response if it is what a
        resident expects (`expect`, their name, `marker`, a redirect matching `redirect`),
        else None and a failure in the statistics."""
        url = self.town + path
        method = "POST" if data is not None else "GET"
        headers = {"Referer": url} if data is not None else {}
        with self.client.request(
            method,
            url,
            data=data,
            headers=headers,
            name=name,
            allow_redirects=False,
            timeout=60,
            catch_response=True,
        ) as response:
            problem = self.problem(response, expect, marker, redirect, greet)
            if problem:
                response.failure(problem)
                return None
            response.success()
            return response

    def problem(self, response: Any, expect: int, marker: str, redirect: str, greet: bool) -> str:
        status = response.status_code
        if status != expect:
            where = response.headers.get("Location", "") if 300 <= status < 400 else ""
            return f"{status} instead of {expect}: {where or _title(response.text)}"
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            return "" if re.search(redirect, location) else f"redirected to {location}"
        text = html.unescape(response.text)
        if greet and self.name not in text:
            return f"not {self.name}'s page: {_title(response.text)}"
        if marker and marker not in text:
            return f"no “{marker}” in {_title(response.text)}"
        return ""

    def form(self, path: str, name: str, marker: str) -> tuple[str, str] | None:
        """A form page: (its CSRF token, its text)."""
        page = self.fetch(path, name, marker=marker)
        token = CSRF.search(page.text) if page is not None else None
        return (token.group(1), page.text) if token else None

    def read(self) -> None:
        time.sleep(random.uniform(*READ))

    # -- logging in ------------------------------------------------------------------------
    def resume(self) -> bool:
        """The session kept from the last run, if it is still valid (else log in again)."""
        with self.client.get(
            self.town + "/", name="/ (returning)", allow_redirects=False, timeout=60,
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {_title(response.text)}")
                return False
            response.success()
            self.logged_in = self.name in html.unescape(response.text)
        if self.logged_in:
            _ready.add(self.number)
        else:
            self.client.cookies.clear()
        return self.logged_in

    def log_in(self) -> bool:
        with self.client.get(
            self.town + "/accounts/login/", name="/accounts/login/", allow_redirects=False,
            timeout=60, catch_response=True,
        ) as page:  # fmt: skip
            if page.status_code == 302:  # still logged in (an outage made us doubt it)
                page.success()
                self.logged_in = True
                _ready.add(self.number)
                return True
            problem = self.problem(page, 200, "", "", greet=False)
            if problem:
                page.failure(problem)
                return False
            page.success()
        token = CSRF.search(page.text)
        if token is None:
            return False
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "login": self.me["email"],
            "password": PLAN["password"],
        }
        done = self.fetch(
            "/accounts/login/", "/accounts/login/ (sent)", data=data, expect=302, redirect="/$"
        )
        self.logged_in = done is not None
        if self.logged_in:
            _ready.add(self.number)
            _sessions[self.me["email"]] = [
                {"name": c.name, "value": c.value, "domain": c.domain, "path": c.path,
                 "secure": c.secure}
                for c in self.client.cookies
            ]  # fmt: skip
        return self.logged_in

    def ready(self) -> bool:
        return self.logged_in or self.log_in()

    # -- what residents do -----------------------------------------------------------------
    @task(6)
    def home(self) -> None:
        if self.ready():
            self.fetch("/", "/", marker="Accueil")

    @task(6)
    def mutual_aid(self) -> None:
        if not self.ready() or self.fetch("/entraide/", "/entraide/", marker="Entraide") is None:
            return
        self.read()
        offer = random.choice(self.me["offers"])
        self.fetch(f"/entraide/{offer['pk']}/", "/entraide/[post]/", marker=offer["title"])

    @task(4)
    def ideas(self) -> None:
        if not self.ready() or self.fetch("/idees/", "/idees/", marker="Boîte à idées") is None:
            return
        self.read()
        idea = random.choice(self.me["ideas"])
        self.fetch(f"/idees/{idea['pk']}/", "/idees/[idea]/", marker=idea["title"])

    @task(1)
    def post_help(self) -> None:
        kind, verb = random.choice([("offre", "Propose"), ("demande", "Cherche")])
        path = f"/entraide/nouvelle-annonce/{kind}/"
        found = self.form(path, f"{path}", "Publier") if self.ready() else None
        if found is None:
            return
        token, text = found
        options = {label: value for value, label in OPTION.findall(text)}
        category = next((options[c] for c in CATEGORIES if c in options), None)
        title = f"{verb} un coup de main n° {random.randint(1, 10**6)} — {self.name}"
        data = {
            "csrfmiddlewaretoken": token,
            "category": category or "",
            "title": title,
            "description": "Pour les courses ou le jardin, le samedi matin si possible.",
            "when": "",
        }
        self.read()
        sent = f"{path} (sent)"
        done = self.fetch(path, sent, data=data, expect=302, redirect=r"/entraide/\d+/$")
        if done is not None:
            self.fetch(done.headers["Location"], "/entraide/[post]/ (new)", marker=title)

    @task(1)
    def post_idea(self) -> None:
        path = "/idees/proposer/"
        found = self.form(path, path, "Publier mon idée") if self.ready() else None
        if found is None:
            return
        token, text = found
        category = next(iter(OPTION.findall(text.split('name="category"', 1)[-1])), ("", ""))[0]
        title = f"Un composteur partagé n° {random.randint(1, 10**6)} — {self.name}"
        data = {
            "csrfmiddlewaretoken": token,
            "title": title,
            "description": "Un composteur près de la salle des fêtes, entretenu par les voisins.",
            "category": category,
        }
        self.read()
        done = self.fetch(path, f"{path} (sent)", data=data, expect=302, redirect=r"/idees/\d+/$")
        if done is not None:
            self.fetch(done.headers["Location"], "/idees/[idea]/ (new)", marker=title)

    @task(3)
    def message(self) -> None:
        conversation = random.choice(self.me["conversations"])
        path = f"/entraide/conversations/{conversation}/"
        name = "/entraide/conversations/[conversation]/"
        found = self.form(path, name, "Conversation") if self.ready() else None
        if found is None:
            return
        body = f"Samedi 10 h, ça vous va ? (message {random.randint(1, 10**6)})"
        self.read()
        data = {"csrfmiddlewaretoken": found[0], "body": body}
        done = self.fetch(
            path, f"{name} (sent)", data=data, expect=302, redirect=rf"{path}#message-\d+$"
        )
        if done is not None:
            self.fetch(path, f"{name} (after)", marker=body)

    @task(2)
    def answer(self) -> None:
        key = self.me["consultation"]
        title = "Le marché du samedi"
        listed = self.ready() and self.fetch("/consultations/", "/consultations/", marker=title)
        if not listed:
            return
        self.read()
        path = f"/consultations/{key}/"
        found = self.form(path, "/consultations/[key]/", title)
        if found is None:
            return
        data: dict[str, Any] = {"csrfmiddlewaretoken": found[0], "action": "send"}
        for question in self.me["questions"]:
            if question["kind"] == "single":
                data[question["name"]] = random.choice(question["choices"])
            elif question["kind"] == "scale":
                data[question["name"]] = str(random.randint(1, 5))
            else:
                data[question["name"]] = random.choice(["Vivant", "Pratique", "Trop petit"])
        self.read()
        done = self.fetch(
            path,
            "/consultations/[key]/ (sent)",
            data=data,
            expect=302,
            redirect=rf"/consultations/{re.escape(key)}/merci/$",
        )
        if done is not None:
            self.fetch(f"{path}merci/", "/consultations/[key]/merci/", marker=title)
