"""The API fuzzed from a town's own OpenAPI schema, over HTTPS through Caddy: `schemathesis_5xx`.

A town of its own, signed up like the others (the load's towns keep what their residents
see), with residents, content and API keys (tests/prod/seed.py api): schemathesis then runs
every operation of `/api/schema/` as the town's admin and, side by side, three residents each
a part of them (`Authorization: Token <key>`), within a time budget; every answer received is
read from their HAR reports: each 5xx is a bug of the API.

schemathesis runs as its own process (this file, `python fuzz.py st ...`, which makes the
towns' names resolve to this machine as a wildcard DNS record would, then hands over to
schemathesis' command line).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from machine import HOME, LOOPBACK, ROOT_DOMAIN, StackError, log
from stack import Stack

SECONDS = 150  # the whole fuzzing: the identities run side by side
RATE = "280/m"  # each under the API's 300 calls a minute for one person
EXAMPLES = 30  # at most, per operation and phase
# What each identity fuzzes: the API counts calls per person, so three residents share the
# operations (their own key each) while the admin tries every one.
GROUPS = [
    ("mutual-aid", r"^/api/v1/(categories|posts|photos|conversations|reports)/"),
    ("ideas", r"^/api/v1/idea"),
    ("consultations", r"^/api/v1/consultations/"),
]
# Path parameters taken from the town (tests/prod/seed.py api), so that an operation on one
# object reaches its code rather than a 404; schemathesis still tries other values.
OBJECTS = [
    (r"^/api/v1/posts/\{id\}/", "id", "post"),
    (r"^/api/v1/conversations/\{id\}/", "id", "conversation"),
    (r"^/api/v1/ideas/\{id\}/", "id", "idea"),
    (r"^/api/v1/idea-comments/\{id\}/", "id", "comment"),
    (r"^/api/v1/consultations/\{key\}/", "key", "consultation"),
]


def run_schemathesis(stack: Stack, people: list[dict[str, str]], seconds: float = SECONDS) -> int:
    """Every operation of one town's API fuzzed by three residents and its admin at once; the
    number of 5xx answers (each logged with its request)."""
    from prod_check import app_script, sign_up_towns  # the seeding helpers live there

    del people  # the load's residents: their towns are left as the load knows them
    (town,) = sign_up_towns(stack, 1)
    ready: dict[str, Any] = app_script(stack, "api", town["slug"])
    folder = HOME / "fuzz"
    folder.mkdir(parents=True, exist_ok=True)
    schema = stack.town_url(town["slug"], "/api/schema/")
    runs = []
    for number, identity in enumerate(ready["identities"]):
        identity = {**identity, "consultation": ready["consultation"]}
        group = GROUPS[number] if identity["role"] == "resident" else ("all", "")
        runs.append(_Run(stack, schema, identity, group, folder, seconds))
    errors = [error for run in runs for error in run.errors()]
    for error in errors[:20]:
        log(f"  {error['status']} {error['method']} {error['url']}: {error['body'][:300]}")
    return len(errors)


class _Run:
    """One schemathesis process: one identity, its operations, its own report."""

    def __init__(
        self,
        stack: Stack,
        schema: str,
        identity: dict[str, Any],
        group: tuple[str, str],
        folder: Path,
        seconds: float,
    ) -> None:
        self.stack = stack
        self.label = f"{identity['role']} ({group[0]})"
        self.name = f"{identity['role']}-{group[0]}"
        self.har = folder / f"{self.name}.har"
        self.har.unlink(missing_ok=True)
        config = folder / f"{self.name}.toml"
        config.write_text(_config(identity))
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "st",
            "--config-file",
            str(config),
            "run",
            schema,
            "--header",
            f"Authorization: Token {identity['key']}",
            "--tls-verify",
            str(stack.caddy_root_certificate),
            "--max-time",
            str(int(seconds)),
            "--max-examples",
            str(EXAMPLES),
            "--rate-limit",
            RATE,
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--checks",
            "not_a_server_error",
            "--seed",
            "12",
            "--report",
            "har",
            "--report-har-path",
            str(self.har),
            "--output-truncate",
            "true",
            "--no-color",
        ]
        if group[1]:
            command += ["--include-path-regex", group[1]]
        self.started = time.monotonic()
        self.timeout = seconds + 300
        self.output = stack.log_file(f"schemathesis-{self.name}")
        self.process = subprocess.Popen(  # noqa: S603  (our own command)
            command, stdout=self.output.open("w"), stderr=subprocess.STDOUT
        )

    def errors(self) -> list[dict[str, Any]]:
        """Once it is done: the 5xx answers it received, from its HAR report."""
        try:
            self.process.wait(timeout=max(1, self.timeout - (time.monotonic() - self.started)))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if not self.har.exists():
            tail = self.output.read_text()[-3000:]
            raise StackError(f"schemathesis as {self.label} wrote no report:\n{tail}")
        entries = json.loads(self.har.read_text())["log"]["entries"]
        if not entries:  # the schema did not load: its answer is in the output, not the HAR
            said = " ".join(self.output.read_text().split())
            log(f"schemathesis as {self.label} sent no request: {said[-600:]}")
            return [{"status": "no schema", "method": "GET", "url": "/api/schema/", "body": ""}]
        statuses: dict[int, int] = {}
        errors = []
        for entry in entries:
            status = entry["response"]["status"]
            statuses[status] = statuses.get(status, 0) + 1
            if status >= 500:
                errors.append(
                    {
                        "status": status,
                        "method": entry["request"]["method"],
                        "url": entry["request"]["url"],
                        "body": entry["response"].get("content", {}).get("text", "") or "",
                    }
                )
        summary = ", ".join(f"{count} × {status}" for status, count in sorted(statuses.items()))
        log(
            f"schemathesis as {self.label}: {len(entries)} requests in "
            f"{time.monotonic() - self.started:.0f} s ({summary})"
        )
        return errors


def _config(identity: dict[str, Any]) -> str:
    """schemathesis' configuration: this identity's objects as path parameters."""
    lines = []
    for path, parameter, name in OBJECTS:
        value = identity[name]
        lines += [
            "[[operations]]",
            f"include-path-regex = {json.dumps(path)}",
            f"parameters = {{ {json.dumps('path.' + parameter)} = {json.dumps(value)} }}",
            "",
        ]
    return "\n".join(lines)


def _schemathesis() -> None:
    """schemathesis' command line, with the towns' names on this machine."""
    resolve = socket.getaddrinfo

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> Any:
        if isinstance(host, str) and (host == ROOT_DOMAIN or host.endswith(f".{ROOT_DOMAIN}")):
            host = LOOPBACK
        return resolve(host, *args, **kwargs)  # type: ignore[arg-type]

    socket.getaddrinfo = getaddrinfo
    from schemathesis.cli import schemathesis

    sys.argv = ["st", *sys.argv[2:]]
    schemathesis()


if __name__ == "__main__" and sys.argv[1:2] == ["st"]:
    _schemathesis()
