"""`make run` and `make stop`: real processes, a data folder of their own, ports from PORT.

The runner serves the test database (its tables and towns) with a Redis, a localstripe and a
beat schedule in a temporary data folder, as a second checkout would; the last test kills its
process group. Together with the `make stop` test they take about 30 s.
"""

from __future__ import annotations

import collections
import json
import os
import pickle  # noqa: S403 (the file our own localstripe wrote)
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest
from django.db import connection

from config.devserver import BASE_DIR, START_TIMEOUT_SECONDS, _port_taken

pytestmark = pytest.mark.devrunner


def _free_port_with_stripe_port() -> int:
    """A free PORT whose derived localstripe port (PORT + 420) is free too."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port + 420 < 65536 and not _port_taken(port) and not _port_taken(port + 420):
            return port
    raise RuntimeError("no free pair of ports")


def _development_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a developer's shell: none of the test run's settings."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PLACETTE_", "STRIPE_", "CELERY_"))
        and name not in {"DATABASE_URL", "REDIS_URL", "PORT", "LOCAL_STRIPE_PORT", "SITE_PORT"}
    }
    return {
        **inherited,
        "DJANGO_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PLACETTE_DATA_DIR": str(data_dir),
        **extra,
    }


def _test_database_url() -> str:
    db = connection.settings_dict
    socket_dir = db["OPTIONS"]["host"]  # the embedded server: a Unix socket, no TCP port
    return f"postgresql://{db['USER']}@/{db['NAME']}?host={socket_dir}"


def _connections_to_the_test_database(django_db_blocker: Any) -> int:
    """Connections of the run's web server to the test database (the worker and beat keep
    theirs between tasks, as they should)."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = 'placette-web'"
        )
        return int(cursor.fetchone()[0])


def _python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def _listening_ports(processes: list[psutil.Process]) -> set[int]:
    ports = set()
    for process in processes:
        for conn in process.net_connections(kind="inet"):
            if conn.status == psutil.CONN_LISTEN:
                ports.add(conn.laddr.port)
    return ports


def _servers_in(data_dir: Path) -> list[psutil.Process]:
    """The PostgreSQL and Redis whose pid files are in `data_dir` and that still run."""
    servers = []
    for pidfile in (data_dir / "pg" / "postmaster.pid", data_dir / "redis.pid"):
        try:
            process = psutil.Process(int(pidfile.read_text().splitlines()[0]))
            if str(data_dir) in " ".join(process.cmdline()):
                servers.append(process)
        except (FileNotFoundError, IndexError, ValueError, psutil.NoSuchProcess):
            continue
    return servers


def test_make_stop_stops_postgresql_left_by_a_killed_process(tmp_path: Path) -> None:
    env = _development_env(tmp_path)
    # The first manage.py starts the embedded servers and joins pgserver's list of handles.
    holder = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", "print('up', flush=True); input()"],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "up\n"
        servers = _servers_in(tmp_path)
        assert len(servers) == 2
        holder.send_signal(signal.SIGTERM)  # what ends runserver under `make run`
        holder.wait(10)
        handles = json.loads((tmp_path / "pg" / ".handle_pids.json").read_text())
        assert handles == [holder.pid]  # killed, it never left the list

        stop = _python("-m", "config.devservices", "stop", env=env)

        _, alive = psutil.wait_procs(servers, timeout=5)
        assert alive == []
        assert stop.returncode == 0, stop.stderr
        assert stop.stdout.strip() == "Stopped: Redis, PostgreSQL."
    finally:
        holder.kill()
        holder.wait()
        for server in _servers_in(tmp_path):
            server.kill()


@dataclass
class Run:
    process: subprocess.Popen[str]
    port: int
    data_dir: Path
    env: dict[str, str]
    output: list[str] = field(default_factory=list)
    banner: threading.Event = field(default_factory=threading.Event)

    def wait_for_line(self, text: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.output):
            assert time.monotonic() < deadline, f"no line with {text!r} in:\n{''.join(self.output)}"
            time.sleep(0.1)

    def get(self, path: str) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers={"Host": f"localhost:{self.port}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return error.code

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if line.startswith("Placette is running."):
                self.banner.set()

    def children(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)


@pytest.fixture(scope="module")
def run(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """`make run` on a free PORT, as from another checkout, serving the test database."""
    data_dir = tmp_path_factory.mktemp("devdata")
    env = _development_env(data_dir, DATABASE_URL=_test_database_url())
    up = _python("-m", "config.devservices", "up", env=env)  # its own Redis, as `make run` does
    assert up.returncode == 0, up.stderr
    port = _free_port_with_stripe_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "config.devserver", "--port", str(port)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    started = Run(process, port, data_dir, env)
    threading.Thread(target=started.read, daemon=True).start()
    children: list[psutil.Process] = []
    try:
        # The runner gives up after its own START_TIMEOUT_SECONDS and says why.
        assert started.banner.wait(START_TIMEOUT_SECONDS + 15), "".join(started.output)
        children = started.children()
        yield started
    finally:
        if process.poll() is None:
            children = started.children()
            process.terminate()  # the runner stops its children; a SIGKILL would orphan them
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        for child in children:
            if child.is_running():
                child.kill()
        process.wait()
        _python("-m", "config.devservices", "stop", env=env)


def test_every_port_of_the_run_derives_from_port(run: Run) -> None:
    assert _listening_ports(run.children()) == {run.port, run.port + 420}
    assert f"localstripe on port {run.port + 420}" in "".join(run.output)


def test_localstripe_keeps_its_data_in_the_data_folder(run: Run) -> None:
    # Registering the webhook was a write: localstripe saved its state then.
    state = run.data_dir / "localstripe.pickle"
    with state.open("rb") as file:
        assert isinstance(pickle.load(file), dict)  # noqa: S301 (our own localstripe's file)
    request = urllib.request.Request(
        f"http://127.0.0.1:{run.port + 420}/v1/customers",
        data=b"email=kept%40chavenay.example",
        headers={"Authorization": "Bearer sk_test_placette"},
    )
    urllib.request.urlopen(request, timeout=5).close()
    with state.open("rb") as file:
        saved = pickle.load(file)  # noqa: S301
    assert [c.email for key, c in saved.items() if key.startswith("customer:")] == [
        "kept@chavenay.example"
    ]


def test_the_banner_comes_last_and_start_up_output_waits_in_a_file(run: Run) -> None:
    before_banner = run.output[
        : run.output.index("Placette is running. Ctrl-C stops everything.\n")
    ]
    assert [line for line in before_banner if line.strip()] == []
    startup = (run.data_dir / "startup.log").read_text()
    assert f"web    | Starting WSGI development server at http://0.0.0.0:{run.port}/" in startup


def test_requests_are_logged_only_when_they_fail(run: Run) -> None:
    assert run.get("/healthz") == 200
    assert run.get("/no-such-page/") == 404

    run.wait_for_line('"GET /no-such-page/ HTTP/1.1" 404')
    assert [line for line in run.output if '"GET /healthz' in line] == []
    assert [line for line in run.output if "Not Found: /no-such-page/" in line] == [
        "web    | Not Found: /no-such-page/\n"
    ]


def test_an_email_is_printed_whole_and_decoded(run: Run) -> None:
    link = "http://town-a.localhost:8000/comptes/confirmer/" + "MTA:1tZx3c:" + "x" * 80 + "/"
    send = (
        "from django.core.mail import EmailMessage; "
        f"EmailMessage(\"Votre lien – L'Haÿ-les-Roses <test>\", 'Cliquez : {link}\\nÀ bientôt', "
        "to=['camille@town-a.example']).send()"
    )
    # Sent as the app sends it: through Celery, delivered by the run's worker.
    sent = _python("manage.py", "shell", "-v", "0", "-c", send, env=run.env)
    assert sent.returncode == 0, sent.stderr

    run.wait_for_line("worker | À bientôt")
    printed = "".join(run.output)
    assert "worker | To:      camille@town-a.example\n" in printed
    assert "worker | Subject: Votre lien – L'Haÿ-les-Roses <test>\n" in printed
    assert f"worker | Cliquez : {link}\n" in printed
    assert "WARNING/ForkPoolWorker" not in printed  # not through the worker's logger


def test_fifty_concurrent_requests_never_run_out_of_connections(
    run: Run, django_db_blocker: Any
) -> None:
    def get(_: int) -> int:
        return run.get("/")

    before = _connections_to_the_test_database(django_db_blocker)
    statuses: collections.Counter[Any] = collections.Counter()
    # Connections kept open after their request would soon pass PostgreSQL's 100.
    for _ in range(4):
        with ThreadPoolExecutor(50) as pool:
            statuses.update(pool.map(get, range(50)))
    assert statuses == {200: 200}
    # Each request's connection closes after it: none is left open by the web server.
    deadline = time.monotonic() + 5
    while (left := _connections_to_the_test_database(django_db_blocker)) > before:
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert left == before


def test_sighup_to_the_process_group_stops_every_child(run: Run) -> None:
    """Closing the terminal hangs the group up. Runs last in this module: it ends the run."""
    children = run.children()
    commands = [child.cmdline() for child in children]
    for program in (["manage.py", "runserver"], ["celery", "worker"], ["celery", "beat"]):
        assert any(set(program) <= set(command) for command in commands), (program, commands)
    assert any(command[1:3] == ["-m", "config.devstripe"] for command in commands), commands

    os.killpg(run.process.pid, signal.SIGHUP)

    code = run.process.wait(30)
    _, alive = psutil.wait_procs(children, timeout=1)
    assert alive == []
    assert code == 0
    assert not (run.data_dir / "devserver.pid").exists()


def test_sigterm_while_starting_stops_every_child(django_db_setup: None, tmp_path: Path) -> None:
    runner = subprocess.Popen(
        [sys.executable, "-m", "config.devserver", "--port", str(_free_port_with_stripe_port())],
        cwd=BASE_DIR,
        env=_development_env(tmp_path, DATABASE_URL=_test_database_url()),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 30
        while len(children) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
            children = psutil.Process(runner.pid).children()
        assert len(children) == 4  # web, worker, beat and localstripe, none of them ready yet

        os.killpg(runner.pid, signal.SIGTERM)

        code = runner.wait(30)
        _, alive = psutil.wait_procs(children, timeout=1)
        assert alive == []
        assert code == 0
    finally:
        if runner.poll() is None:
            runner.kill()
        for child in children:
            if child.is_running():
                child.kill()
        runner.wait()
        _python("-m", "config.devservices", "stop", env=_development_env(tmp_path))
