"""Where production's parts run on this machine, and as whom: the checkout's paths, the
ports (PRODCHECK_PORT_OFFSET), Debian's packages, the users (Debian's `postgres`, the app's
unprivileged `placette`, as the image's uid 10001) and mirakuru's executor that waits for a
banner in a log file. tests/prod/stack.py starts the parts with them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mirakuru import Executor

REPO = Path(__file__).resolve().parents[2]
# PRODCHECK_HOME and PRODCHECK_PORT_OFFSET let two stacks run side by side (each its own folder
# and ports); by default one stack in .prodcheck/ on the ports below.
HOME = Path(os.environ.get("PRODCHECK_HOME") or REPO / ".prodcheck").resolve()
PORT_OFFSET = int(os.environ.get("PRODCHECK_PORT_OFFSET") or 0)
APP_PYTHON = REPO / ".venv" / "bin" / "python"
# gunicorn as deploy/ runs it (the image's command has the same configuration file).
GUNICORN = [
    str(REPO / ".venv" / "bin" / "gunicorn"),
    "--config",
    str(REPO / "deploy" / "gunicorn.conf.py"),
    "config.wsgi:application",
]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PACKAGES = {  # Debian package -> a file it installs
    "postgresql": PG_BIN / "postgres",
    "redis-server": Path("/usr/bin/redis-server"),
    "pgbouncer": Path("/usr/sbin/pgbouncer"),
    "caddy": Path("/usr/bin/caddy"),
}
ROOT_DOMAIN = "placette.test"
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Ports:
    postgres: int = 55432 + PORT_OFFSET
    pgbouncer: int = 56432 + PORT_OFFSET
    redis: int = 56379 + PORT_OFFSET
    stripe: int = 58420 + PORT_OFFSET
    gunicorn: int = 58000 + PORT_OFFSET
    http: int = 58080 + PORT_OFFSET
    https: int = 58443 + PORT_OFFSET
    ask: int = 59180 + PORT_OFFSET
    caddy_admin: int = 52019 + PORT_OFFSET


class LogExecutor(Executor):
    """A process that says in its log when it is ready (Celery's "ready."): its output goes
    to the log file, read until the banner appears."""

    def __init__(self, command: list[str], log_file: Path, banner: str, **kwargs: object) -> None:
        self.log_file = log_file
        self.banner = re.compile(banner)
        self.offset = log_file.stat().st_size if log_file.exists() else 0
        super().__init__(command, **kwargs)

    def pre_start_check(self) -> bool:
        return False

    def after_start_check(self) -> bool:
        if not self.log_file.exists():
            return False
        with self.log_file.open("rb") as file:
            file.seek(self.offset)
            return bool(self.banner.search(file.read().decode(errors="replace")))


class StackError(Exception):
    """A part did not install or start: the message says which and why."""


def log(message: str) -> None:
    print(f"[prod-check] {message}", file=sys.stderr, flush=True)


def install_packages() -> None:
    """Debian's packages for every part, installed as root when missing."""
    missing = [name for name, path in PACKAGES.items() if not path.exists()]
    if not missing:
        return
    if os.geteuid() != 0:
        raise StackError(
            f"Missing Debian packages: {' '.join(missing)}. Run as root (make prod-check "
            f"installs them) or install them first: apt-get install -y {' '.join(missing)}"
        )
    log(f"Installing {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", *missing],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise StackError(f"apt-get install failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


# The app's processes (gunicorn, Celery) run as this user when prod-check runs as root, as the
# image runs them as uid 10001 (deploy/Dockerfile): never as root.
APP_USER = "placette"


def ensure_app_user() -> None:
    if os.geteuid() != 0:
        return
    known = subprocess.run(["id", "-u", APP_USER], capture_output=True, check=False)
    if known.returncode:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", APP_USER],
            check=True,
            capture_output=True,
        )


def let_app_reach_python() -> None:
    """The app user must run the venv's interpreter, which may live under a private home
    (pyenv in /root): each folder on its way gets o+x (enter, not list), said in the log."""
    if os.geteuid() != 0:
        return
    interpreter = APP_PYTHON.resolve()
    for folder in reversed(interpreter.parents):
        mode = folder.stat().st_mode
        if not mode & 0o001:
            log(f"Letting {APP_USER} reach {interpreter}: chmod o+x {folder}")
            folder.chmod(mode | 0o001)


def as_app(command: list[str]) -> list[str]:
    return ["runuser", "-u", APP_USER, "--", *command] if os.geteuid() == 0 else command


def owned_by_app(path: Path) -> Path:
    """A folder the app writes to (media, mail, exports, beat's schedule)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, APP_USER, APP_USER)
    return path


def owned_by_postgres(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path
