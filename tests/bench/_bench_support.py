"""Shared plumbing for the benchmark scripts in tests/bench/: services, gunicorn, wrk, output.

A benchmark script prints its figures on stdout, one `name: value` line each (`emit`), and
everything else on stderr (`log`). Every gunicorn it starts is stopped when it exits, on
Ctrl-C and on SIGTERM too.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent.parent


class BenchError(RuntimeError):
    """A benchmark could not be run or gave an unusable result: the script exits non-zero."""


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def emit(name: str, value: float | int | str, digits: int = 2) -> None:
    text = f"{value:.{digits}f}" if isinstance(value, float) else str(value)
    print(f"{name}: {text}", flush=True)


# --- Process bookkeeping ----------------------------------------------------------------------

_children: set[subprocess.Popen[bytes]] = set()


def _stop_child(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Stop a child started with start_new_session=True, and its own children (its group)."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    # Whatever is left of the group (a worker the master did not reap in time).
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=5)
    _children.discard(process)


def _stop_all_children() -> None:
    for process in list(_children):
        _stop_child(process)


def _sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def install_cleanup() -> None:
    """Stop every child process at exit, on Ctrl-C (KeyboardInterrupt) and on SIGTERM/SIGHUP."""
    atexit.register(_stop_all_children)
    # Even when started with SIGINT ignored (a background job of a script): stop on it too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _sigterm)
    signal.signal(signal.SIGHUP, _sigterm)


# --- Environment ------------------------------------------------------------------------------


def bench_environment(settings_module: str, **extra: str) -> dict[str, str]:
    """The environment of a bench server: development settings with DEBUG off, no Sentry."""
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="development",
        DEBUG="false",
        DJANGO_SETTINGS_MODULE=settings_module,
        PYTHONPATH=os.pathsep.join(
            [str(REPO), str(BENCH_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("SENTRY_DSN", None)  # error reporting is not what is measured
    env.update(extra)
    return env


def setup_django() -> None:
    """Start the embedded services (when no DATABASE_URL / REDIS_URL) and set Django up."""
    os.environ["DJANGO_ENV"] = "development"
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("SENTRY_DSN", None)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from config import devservices

    devservices.ensure_running()
    use_bench_database()
    import django

    django.setup()


def use_bench_database() -> None:
    """Benchmarks never touch the demo's data: they use their own database, `placette_bench`
    on the embedded PostgreSQL (or BENCH_DATABASE_URL), created on first use. Servers started
    with `bench_environment` inherit it."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        from config import devservices

        if os.environ.get("DATABASE_URL"):
            raise BenchError("Set BENCH_DATABASE_URL: benchmarks do not run in DATABASE_URL.")
        import pgserver

        server = pgserver.get_server(devservices.data_dir() / "pg", cleanup_mode=None)
        found = server.psql("SELECT 1 FROM pg_database WHERE datname = 'placette_bench';")
        if "1 row" not in found:
            server.psql("CREATE DATABASE placette_bench;")
        url = devservices.database_url().replace("/placette?", "/placette_bench?")
    os.environ["DATABASE_URL"] = url


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- gunicorn ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    port: int
    pid: int  # the gunicorn master's

    def workers_cpu_seconds(self) -> float | None:
        """CPU time (user + system) used so far by the master's live children, its workers.

        Linux only (None elsewhere). Workers are not restarted during a bench (no max-requests),
        so the difference between two readings is what they spent in between.
        """
        proc = Path("/proc")
        if not proc.is_dir():
            return None
        ticks = 0
        for stat_file in proc.glob("[0-9]*/stat"):
            try:
                stat = stat_file.read_text()
            except OSError:
                continue
            # pid (comm) state ppid ... utime(14) stime(15): comm may hold spaces, split after ')'
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == self.pid:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ServerOptions:
    workers: int = 2
    worker_class: str = "sync"
    threads: int = 1


def _http_get(port: int, path: str, host: str, timeout: float = 2.0) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310 (loopback, plain http on purpose)
        f"http://127.0.0.1:{port}{path}", headers={"Host": host}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")[:500]


@contextmanager
def gunicorn(
    *,
    env: dict[str, str],
    options: ServerOptions,
    probe_path: str,
    probe_host: str,
    expect_body: str | None = None,
    label: str = "gunicorn",
    start_timeout: float = 60.0,
) -> Iterator[Server]:
    """Serve config.wsgi on a free loopback port; yield it once `probe_path` answers 200.

    Raises BenchError if gunicorn exits or does not answer in time, or answers otherwise.
    """
    port = free_port()
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"placette-bench-{label}-{port}.log"  # noqa: S108
    command = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(options.workers),
        "--worker-class", options.worker_class,
        "--threads", str(options.threads),
        "--chdir", str(REPO),
        "--no-control-socket",
        "--log-level", "warning",
        "--graceful-timeout", "5",
        "config.wsgi:application",
    ]  # fmt: skip
    log(f"[{label}] starting: {' '.join(command)} (log: {log_path})")
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopped with its workers, spared Ctrl-C
        )
    _children.add(process)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if process.poll() is not None:
                raise BenchError(
                    f"[{label}] gunicorn exited with {process.returncode} before serving:\n"
                    + _tail(log_path)
                )
            try:
                status, body = _http_get(port, probe_path, probe_host)
            except (OSError, urllib.error.URLError):
                status, body = 0, ""
            if status == 200:
                if expect_body is not None and body.strip() != expect_body:
                    raise BenchError(
                        f"[{label}] {probe_host}{probe_path} answered {body.strip()!r}, "
                        f"expected {expect_body!r}: the variant is not wired as intended"
                    )
                break
            if status:
                raise BenchError(
                    f"[{label}] {probe_host}{probe_path} answered HTTP {status}:\n{body}\n"
                    + _tail(log_path)
                )
            if time.monotonic() > deadline:
                raise BenchError(
                    f"[{label}] gunicorn did not answer within {start_timeout:.0f} s:\n"
                    + _tail(log_path)
                )
            time.sleep(0.1)
        # Every worker loads the application lazily on its first request: touch them all.
        for _ in range(options.workers * 4):
            _http_get(port, probe_path, probe_host)
        yield Server(port=port, pid=process.pid)
    finally:
        _stop_child(process)
        errors = _tail(log_path, lines=20)
        if process.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL) and errors:
            log(f"[{label}] gunicorn exited with {process.returncode}:\n{errors}")
        log_path.unlink(missing_ok=True)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- wrk --------------------------------------------------------------------------------------


def require_wrk() -> str:
    """The path of wrk, installing the Debian package when running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise BenchError(
            "wrk is not installed: install it (Debian/Ubuntu: `sudo apt-get install -y wrk`)"
            " and run the benchmark again."
        )
    log("wrk is not installed: apt-get install -y wrk")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        subprocess.run(command, check=False, stdout=sys.stderr, stderr=sys.stderr)
    found = shutil.which("wrk")
    if not found:
        raise BenchError("`apt-get install -y wrk` did not provide wrk: install it by hand.")
    return found


@dataclass(frozen=True)
class LoadOptions:
    threads: int = 2
    connections: int = 16
    duration: int = 8
    warmup: int = 2


@dataclass(frozen=True)
class WrkResult:
    requests: int
    requests_per_second: float
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    output: str


def _wrk(wrk: str, url: str, host: str, load: LoadOptions, seconds: int) -> WrkResult:
    command = [
        wrk,
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{seconds}s",
        "--timeout", "10s",
        "-H", f"Host: {host}",
        url,
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchError(
            f"{' '.join(command)} failed ({completed.returncode}):\n{completed.stderr}"
        )
    return parse_wrk(completed.stdout)


def parse_wrk(output: str) -> WrkResult:
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in ", output, re.MULTILINE)
    if not rps or not total:
        raise BenchError(f"Could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    socket_errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True))
        if errors
        else {}
    )
    return WrkResult(
        requests=int(total.group(1)),
        requests_per_second=float(rps.group(1)),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors,
        output=output,
    )


def warm_up(wrk: str, server: Server, path: str, host: str, load: LoadOptions, label: str) -> None:
    """Load the server for `load.warmup` seconds, results checked and discarded."""
    if load.warmup > 0:
        url = f"http://127.0.0.1:{server.port}{path}"
        _check(_wrk(wrk, url, host, load, load.warmup), f"{label} warmup")


@dataclass(frozen=True)
class Measurement:
    requests: int
    seconds: float  # wall-clock, as wrk measured it
    cpu_seconds: float | None  # spent by the server's workers meanwhile

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds


def measure(
    wrk: str, server: Server, path: str, host: str, load: LoadOptions, label: str
) -> Measurement:
    """Load http://127.0.0.1:port/path for `load.duration` seconds.

    Raises BenchError on any non-2xx/3xx response, connect error or timeout.
    """
    url = f"http://127.0.0.1:{server.port}{path}"
    cpu_before = server.workers_cpu_seconds()
    result = _check(_wrk(wrk, url, host, load, load.duration), label)
    cpu_after = server.workers_cpu_seconds()
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    measurement = Measurement(
        requests=result.requests,
        seconds=result.requests / result.requests_per_second,
        cpu_seconds=cpu,
    )
    log(
        f"[{label}] {result.requests} requests, {result.requests_per_second:.1f} req/s"
        + (f", {cpu / result.requests * 1e6:.0f} us CPU/request" if cpu is not None else "")
        + (f", socket errors {result.socket_errors}" if result.socket_errors else "")
    )
    return measurement


def _check(result: WrkResult, label: str) -> WrkResult:
    if result.non_2xx_3xx:
        raise BenchError(
            f"[{label}] {result.non_2xx_3xx} non-2xx/3xx responses: the figures would be"
            f" meaningless.\n{result.output}"
        )
    # A connection reset now and then is harmless; timeouts or refusals are not.
    if result.socket_errors.get("connect") or result.socket_errors.get("timeout"):
        raise BenchError(f"[{label}] socket errors {result.socket_errors}:\n{result.output}")
    if result.requests == 0:
        raise BenchError(f"[{label}] no request completed:\n{result.output}")
    return result
