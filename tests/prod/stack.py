"""Production's parts as real processes on loopback, each in a folder of `.prodcheck/`.

Debian's PostgreSQL (its own cluster, not the embedded wheel), PgBouncer in front of it, Debian's
Redis, localstripe (we never call the real Stripe), Caddy with `deploy/Caddyfile` (only its
addresses given by its variables, TLS from Caddy's internal CA), then gunicorn, a Celery worker
and beat with DJANGO_ENV=production and the variables deploy/env.example documents. Each is
started by mirakuru, which waits until it answers and stops its whole process group.

PostgreSQL and PgBouncer refuse to run as root: they run as Debian's `postgres` user, which owns
their folders.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from machine import (
    APP_PYTHON,
    GUNICORN,
    HOME,
    LOOPBACK,
    PG_BIN,
    REPO,
    ROOT_DOMAIN,
    LogExecutor,
    Ports,
    StackError,
    as_app,
    as_postgres,
    ensure_app_user,
    let_app_reach_python,
    log,
    owned_by_app,
    owned_by_postgres,
)
from mirakuru import Executor, TCPExecutor
from mirakuru.exceptions import ProcessFinishedWithError


@dataclass
class Stack:
    ports: Ports = field(default_factory=Ports)
    pool_mode: str = "transaction"
    web_workers: int = 2
    web_threads: int = 4
    processes: dict[str, Executor] = field(default_factory=dict)

    # -- secrets and variables ---------------------------------------------------------------
    @property
    def password(self) -> str:
        file = HOME / "db-password"
        if not file.exists():
            HOME.mkdir(parents=True, exist_ok=True)
            file.write_text(secrets.token_hex(16))
        return file.read_text().strip()

    def database_url(self, *, direct: bool = False) -> str:
        port = self.ports.postgres if direct else self.ports.pgbouncer
        return f"postgresql://placette:{self.password}@{LOOPBACK}:{port}/placette"

    # False only for the isolation probe's control run: what transaction pooling does to
    # django-tenants' session-level search path.
    statement_path: bool = True

    def app_env(self, *, direct_database: bool = False) -> dict[str, str]:
        """deploy/env.example's variables, filled for this machine."""
        secret = HOME / "secret-key"
        if not secret.exists():
            secret.write_text(secrets.token_urlsafe(64))
        media = HOME / "media"
        media.mkdir(parents=True, exist_ok=True)
        env = {
            key: value
            for key, value in os.environ.items()
            if key in ("PATH", "LANG", "HOME", "TZ", "SSL_CERT_FILE")
        }
        env.update(
            DJANGO_ENV="production",
            DJANGO_SETTINGS_MODULE="config.settings",
            SECRET_KEY=secret.read_text().strip(),
            DATABASE_URL=self.database_url(direct=direct_database),
            PGBOUNCER_TRANSACTION_POOLING=str(
                not direct_database and self.pool_mode == "transaction" and self.statement_path
            ).lower(),
            REDIS_URL=f"redis://{LOOPBACK}:{self.ports.redis}/0",
            ROOT_DOMAIN=ROOT_DOMAIN,
            LEGAL_ENTITY_NAME="Placette SAS",
            LEGAL_ENTITY_ADDRESS="1 place de la Mairie, 78450 Chavenay",
            LEGAL_ENTITY_REGISTRATION="RCS Versailles 000 000 000",
            LEGAL_HOST="This machine, loopback only",
            TRUSTED_PROXY_COUNT="1",
            SITE_PORT=str(self.ports.https),
            STRIPE_SECRET_KEY="sk_test_prodcheck",
            STRIPE_PUBLISHABLE_KEY="pk_test_prodcheck",
            STRIPE_WEBHOOK_SECRET="whsec_prodcheck",
            STRIPE_API_BASE=f"http://{LOOPBACK}:{self.ports.stripe}",
            MEDIA_ROOT=str(media),
            DATA_EXPORTS_ROOT=str(HOME / "exports"),
            EMAIL_DELIVERY_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(HOME / "mail"),
            PORT=str(self.ports.gunicorn),
            BIND_ADDRESS=LOOPBACK,
            WEB_CONCURRENCY=str(self.web_workers),
            GUNICORN_THREADS=str(self.web_threads),
            SECURE_HSTS_SECONDS="300",
            # A task whose worker was killed comes back after this (production: 2 h); the
            # faults check waits for it (tests/prod/faults.py).
            CELERY_VISIBILITY_TIMEOUT="30",
            PYTHONUNBUFFERED="1",
        )
        return env

    # -- the parts ---------------------------------------------------------------------------
    def log_file(self, name: str) -> Path:
        folder = HOME / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{name}.log"

    def output(self, name: str) -> dict[str, object]:
        """Where a part's output goes: its log file, stdout and stderr together."""
        return {"stdout": self.log_file(name).open("ab"), "stderr": subprocess.STDOUT}

    def _start(self, name: str, executor: Executor) -> None:
        log(f"Starting {name}")
        try:
            executor.start()
        except Exception as error:  # mirakuru's timeouts and exits, with the process's output
            raise StackError(f"{name} did not start: {error}") from error
        self.processes[name] = executor

    def _start_listening(
        self, name: str, command: list[str], port: int, *, timeout: int = 30, **options: object
    ) -> None:
        """A part that is ready once it accepts connections on its port, its output logged."""
        executor = TCPExecutor(
            command, LOOPBACK, port, timeout=timeout, **options, **self.output(name)
        )
        self._start(name, executor)

    def start_postgres(self) -> None:
        self.start_cluster(
            "postgresql",
            HOME / "pg",
            self.ports.postgres,
            settings=("max_connections=400", "shared_buffers=256MB"),
        )
        self._create_database()

    def _psql(self, sql: str, database: str = "postgres") -> str:
        done = self.pg_tool("psql", "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql)
        return done.stdout.strip()

    def _create_database(self) -> None:
        if not self._psql("SELECT 1 FROM pg_roles WHERE rolname = 'placette'"):
            self._psql(f"CREATE ROLE placette LOGIN PASSWORD '{self.password}'")
        if not self._psql("SELECT 1 FROM pg_database WHERE datname = 'placette'"):
            self._psql("CREATE DATABASE placette OWNER placette")

    def pgbouncer_ini(self, users: Path, folder: Path) -> str:
        """deploy/pgbouncer/pgbouncer.ini with this machine's addresses and paths, nothing else."""
        text = (REPO / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text()
        values = {
            "listen_addr": LOOPBACK,
            "listen_port": str(self.ports.pgbouncer),
            "unix_socket_dir": str(folder),
            "auth_file": str(users),
            "logfile": str(folder / "pgbouncer.log"),
            "pool_mode": self.pool_mode,  # transaction, as deployed; session for a control
        }
        for key, value in values.items():
            text, found = re.subn(rf"(?m)^{key} =.*$", f"{key} = {value}", text)
            if found != 1:
                raise StackError(f"deploy/pgbouncer/pgbouncer.ini has no single {key} line")
        database = f"placette = host={LOOPBACK} port={self.ports.postgres} dbname=placette"
        return re.sub(r"(?m)^placette = .*$", database, text)

    def start_pgbouncer(self) -> None:
        folder = owned_by_postgres(HOME / "pgbouncer")
        users = folder / "userlist.txt"
        users.write_text(f'"placette" "{self.password}"\n')
        ini = folder / "pgbouncer.ini"
        ini.write_text(self.pgbouncer_ini(users, folder))
        for path in (users, ini):
            if os.geteuid() == 0:
                shutil.chown(path, "postgres", "postgres")
            path.chmod(0o600)
        command = as_postgres(["/usr/sbin/pgbouncer", str(ini)])
        self._start_listening("pgbouncer", command, self.ports.pgbouncer)

    def start_redis(self) -> None:
        folder = HOME / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        command = [
            "/usr/bin/redis-server",
            "--bind",
            LOOPBACK,
            "--port",
            str(self.ports.redis),
            "--dir",
            str(folder),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--protected-mode",
            "no",
        ]
        self._start_listening("redis", command, self.ports.redis)

    def start_stripe(self) -> None:
        command = [str(REPO / ".venv" / "bin" / "localstripe"), "--port", str(self.ports.stripe)]
        self._start_listening("localstripe", command, self.ports.stripe)

    def caddy_env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(HOME / "caddy"),
            "XDG_DATA_HOME": str(HOME / "caddy" / "data"),
            "XDG_CONFIG_HOME": str(HOME / "caddy" / "config"),
            "ROOT_DOMAIN": ROOT_DOMAIN,
            "ACME_EMAIL": f"ops@{ROOT_DOMAIN}",
            "UPSTREAM": f"{LOOPBACK}:{self.ports.gunicorn}",
            "PLACETTE_TLS": "internal",
            "HTTP_PORT": str(self.ports.http),
            "HTTPS_PORT": str(self.ports.https),
            "BIND": LOOPBACK,
            "ASK_PORT": str(self.ports.ask),
            "CADDY_ADMIN": f"{LOOPBACK}:{self.ports.caddy_admin}",
            "CADDY_BUFFERS": caddy_buffers(),
        }

    def town_url(self, slug: str, path: str = "/") -> str:
        """A town's page over HTTPS, through Caddy."""
        return f"https://{slug}.{ROOT_DOMAIN}:{self.ports.https}{path}"

    @property
    def caddy_root_certificate(self) -> Path:
        return HOME / "caddy" / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def start_caddy(self) -> None:
        (HOME / "caddy").mkdir(parents=True, exist_ok=True)
        command = [
            "/usr/bin/caddy",
            "run",
            "--config",
            str(REPO / "deploy" / "Caddyfile"),
            "--adapter",
            "caddyfile",
        ]
        self._start_listening(
            "caddy", command, self.ports.https, timeout=60, envvars=self.caddy_env()
        )
        deadline = time.monotonic() + 30
        while not self.caddy_root_certificate.exists():
            if time.monotonic() > deadline:
                raise StackError("Caddy made no internal CA certificate")
            time.sleep(0.2)

    def manage(self, *args: str, direct_database: bool = True, timeout: float = 1800) -> str:
        """A management command with production's settings (migrations go straight to
        PostgreSQL, as a release step would: they hold a session for their advisory lock)."""
        done = subprocess.run(
            [str(APP_PYTHON), "manage.py", *args],
            cwd=REPO,
            env=self.app_env(direct_database=direct_database),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise StackError(
                f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done.stdout

    def release(self) -> float:
        """deploy/release.sh, then the static files as the image's build collects them."""
        started = time.monotonic()
        done = subprocess.run(
            ["sh", "deploy/release.sh"],
            cwd=REPO,
            env={
                **self.app_env(direct_database=True),
                "PATH": f"{REPO / '.venv' / 'bin'}:" + os.environ.get("PATH", ""),
            },  # fmt: skip
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        if done.returncode:
            raise StackError(
                f"The release step failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        return time.monotonic() - started

    def start_web(self) -> None:
        self.start_web_process("gunicorn", self.app_env())

    def restart_web(self) -> None:
        """gunicorn again, with the stack's variables as they are now."""
        web = self.processes.pop("gunicorn")
        web.stop()
        self.start_web()

    # The media folder is a small disk of its own (tmpfs, as root) that the faults can fill.
    media_disk_mb: int = 512

    def mount_media(self) -> None:
        media = HOME / "media"
        media.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0 or os.path.ismount(media):
            return
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.media_disk_mb}m", "tmpfs", str(media)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            log(f"The media folder stays on the main disk ({done.stderr.strip()})")

    def unmount_media(self) -> None:
        media = HOME / "media"
        if os.path.ismount(media):
            subprocess.run(["umount", "--lazy", str(media)], check=False)

    def restart_celery_worker(self, name: str = "celery worker") -> None:
        """The worker (or beat) again, after it was killed: ready once it prints its banner
        anew."""
        worker = self.processes[name]
        # Stopped even when it exited by itself: mirakuru starts no new process while it holds
        # the old one, and the old one's pool processes may outlive it.
        try:
            worker.stop()
        except ProcessFinishedWithError as exited:
            log(f"  {name} had exited with code {exited.exit_code}")
        assert isinstance(worker, LogExecutor)
        worker.offset = worker.log_file.stat().st_size
        self._start(name, worker)

    def revive(self) -> list[str]:
        """What production's supervisor does (compose's `restart: unless-stopped`): the Celery
        processes that exited are started again. Returns their names."""
        revived = [name for name in ("celery worker", "celery beat") if not self.running(name)]
        for name in revived:
            log(f"{name} had exited: started again, as its supervisor would")
            self.restart_celery_worker(name)
        return revived

    def running(self, name: str) -> bool:
        process = self.processes[name].process
        return process is not None and process.poll() is None

    def app_pid(self, name: str) -> int:
        """The pid of an app part itself (gunicorn's master), not of the runuser before it."""
        process = self.processes[name].process
        assert process is not None
        if os.geteuid() != 0:
            return process.pid
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        return int(children[0]) if children else process.pid

    def start_celery(self) -> None:
        bin_dir = REPO / ".venv" / "bin"
        worker = LogExecutor(
            as_app(
                [
                    str(bin_dir / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    "2",
                    "--hostname",
                    "prodcheck@%h",
                ]
            ),
            self.log_file("celery-worker"),
            r"ready\.",
            timeout=90,
            cwd=str(REPO),
            envvars=self.app_env(),
            **self.output("celery-worker"),
        )
        self._start("celery worker", worker)
        beat = LogExecutor(
            as_app(
                [
                    str(bin_dir / "celery"),
                    "-A",
                    "config",
                    "beat",
                    "--loglevel",
                    "INFO",
                    "--schedule",
                    str(owned_by_app(HOME / "beat") / "celerybeat-schedule"),
                ]
            ),
            self.log_file("celery-beat"),
            r"beat: Starting",
            timeout=60,
            cwd=str(REPO),
            envvars=self.app_env(),
            **self.output("celery-beat"),
        )
        self._start("celery beat", beat)

    def reset(self) -> None:
        """Start from nothing but the tools' venv: a new cluster, Redis, media, mail, CA."""
        HOME.mkdir(parents=True, exist_ok=True)
        self.unmount_media()
        if os.geteuid() == 0:
            HOME.chmod(0o755)  # PostgreSQL's user reaches its folders inside
        if HOME.exists():
            for path in HOME.iterdir():
                if path.name != "venv":
                    shutil.rmtree(path) if path.is_dir() else path.unlink()

    def reserve_ports(self) -> None:
        """Our ports lie in Linux's ephemeral range: an outgoing connection may take one as its
        own port (gunicorn then cannot bind: seen once). As root, they are reserved."""
        reserved = Path("/proc/sys/net/ipv4/ip_local_reserved_ports")
        if os.geteuid() != 0 or not reserved.exists():
            return
        ours = [str(port) for port in vars(self.ports).values()]
        current = [part for part in reserved.read_text().strip().split(",") if part]
        wanted = current + [port for port in ours if port not in current]
        if wanted != current:
            try:
                reserved.write_text(",".join(wanted))
            except OSError as error:
                log(f"Could not reserve the stack's ports ({error})")

    def start_all(self) -> float:
        """Every part, in order; the release step's duration in seconds."""
        self.reserve_ports()
        self.start_postgres()
        self.start_pgbouncer()
        self.start_redis()
        self.start_stripe()
        self.mount_media()
        ensure_app_user()
        let_app_reach_python()
        for folder in ("media", "mail", "exports", "beat"):
            owned_by_app(HOME / folder)
        seconds = self.release()
        self.start_web()
        self.start_celery()
        self.start_caddy()
        return seconds

    def stop_all(self) -> None:
        for name, executor in reversed(list(self.processes.items())):
            try:
                executor.stop()
            except Exception as error:  # stopping the others matters more than this one
                log(f"Could not stop {name}: {error}")
        self.processes.clear()
        self.unmount_media()

    # -- more clusters and web processes (backup and restore: tests/prod/backup.py) ----------
    def pg_tool(
        self, tool: str, *args: str, port: int | None = None, timeout: float = 3600
    ) -> subprocess.CompletedProcess[str]:
        """One of Debian's PostgreSQL client programs (pg_dump, pg_restore, psql…) as the
        superuser over TCP, with the password, against this stack's cluster or another one."""
        done = subprocess.run(
            [
                str(PG_BIN / tool),
                "-h",
                LOOPBACK,
                "-p",
                str(port or self.ports.postgres),
                "-U",
                "postgres",
                *args,
            ],  # fmt: skip
            env={**os.environ, "PGPASSWORD": self.password},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise StackError(f"{tool} {' '.join(args)}: {done.stderr.strip()[-2000:]}")
        return done

    def start_cluster(
        self, name: str, data: Path, port: int, settings: tuple[str, ...] = ()
    ) -> None:
        """A cluster of Debian's PostgreSQL in `data` (made empty if it is not there) on `port`,
        its superuser with this stack's password: the stack's own, or another where a
        whole-cluster dump is restored."""
        owned_by_postgres(data)
        sockets = owned_by_postgres(data.with_name(f"{data.name}-sockets"))
        if not (data / "PG_VERSION").exists():
            password_file = data.with_name(f"{data.name}-password")
            password_file.write_text(self.password)
            if os.geteuid() == 0:
                shutil.chown(password_file, "postgres", "postgres")
            initdb = [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                f"--pwfile={password_file}",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
            try:
                subprocess.run(as_postgres(initdb), check=True, capture_output=True)
            finally:
                password_file.unlink()
        command = [
            str(PG_BIN / "postgres"),
            "-D",
            str(data),
            "-c",
            f"listen_addresses={LOOPBACK}",
            "-c",
            f"port={port}",
            "-c",
            f"unix_socket_directories={sockets}",
            "-c",
            "max_locks_per_transaction=1024",
        ]
        for setting in settings:
            command += ["-c", setting]
        self._start_listening(name, as_postgres(command), port, timeout=60)
        self.wait_for_postgres(port)

    def wait_for_postgres(self, port: int) -> None:
        """The port opens while the server still answers "the database system is starting up"."""
        deadline = time.monotonic() + 60
        while True:
            try:
                self.pg_tool("pg_isready", "-d", "postgres", port=port, timeout=10)
                return
            except StackError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def start_web_process(self, name: str, env: dict[str, str]) -> None:
        """A gunicorn with deploy/gunicorn.conf.py, on env["PORT"], with these variables: the
        stack's own, or a copy of the site served from a restored database."""
        self._start_listening(
            name, as_app(GUNICORN), int(env["PORT"]), timeout=60, cwd=str(REPO), envvars=env
        )

    def stop_part(self, name: str) -> None:
        """Stops one part started by _start (the others go on)."""
        executor = self.processes.pop(name, None)
        if executor is not None:
            executor.stop()


@contextmanager
def running(stack: Stack) -> Iterator[Stack]:
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def caddy_buffers() -> str:
    """The name the installed Caddy gives its request buffer, as deploy/Caddyfile's
    CADDY_BUFFERS says it: `caddy26` before 2.7 (Debian 12 ships 2.6), `caddy27` since."""
    version = subprocess.run(
        ["/usr/bin/caddy", "version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.match(r"v?(\d+)\.(\d+)", version.strip())
    return "caddy26" if found and (int(found[1]), int(found[2])) < (2, 7) else "caddy27"
