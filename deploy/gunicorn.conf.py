"""Gunicorn settings for Placette's web process.

    gunicorn --config deploy/gunicorn.conf.py config.wsgi:application

Every value can be tuned from the environment (see deploy/env.example); the defaults suit one
container behind the reverse proxy. Gunicorn reads this file in the master process before it
loads the application, so it must not import Django.
"""

from __future__ import annotations

import os


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name}={value!r} is not a whole number.") from None
    if number < 1:
        raise SystemExit(f"gunicorn.conf.py: {name}={value!r} must be at least 1.")
    return number


def _cpu_count() -> int:
    # The CPUs this process may run on (respects cpusets / `docker run --cpuset-cpus`).
    # CFS quotas (`--cpus`) are not visible here: set WEB_CONCURRENCY in that case.
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


wsgi_app = "config.wsgi:application"
proc_name = "placette-web"

# --- Socket ---------------------------------------------------------------------------------
# Every interface in a container (the proxy reaches it over the container network); BIND_ADDRESS
# narrows it, e.g. to 127.0.0.1 when the proxy runs on the same host (`make prod-check`).
bind = [f"{os.environ.get('BIND_ADDRESS', '0.0.0.0')}:{_env_int('PORT', 8000)}"]  # noqa: S104

# --- Workers --------------------------------------------------------------------------------
# Processes × threads. Each thread may hold one PostgreSQL connection (CONN_MAX_AGE keeps it
# open), so one web container uses up to workers × threads connections: keep the sum over every
# container (plus Celery) below PostgreSQL's max_connections (100 by default).
_max_workers = _env_int("GUNICORN_MAX_WORKERS", 8)
workers = _env_int("WEB_CONCURRENCY", min(2 * _cpu_count() + 1, _max_workers))
# gthread: a thread for each request in progress, fine behind a proxy that hands over whole
# requests only. Caddy reads a request's headers and body before forwarding it (deploy/Caddyfile:
# its timeouts and request buffer), so a client on a slow line holds Caddy, never one of these
# threads: `make prod-check`'s fault_slow_clients sends 10 trickled headers and 10 trickled form
# bodies; without the request buffer the bodies held every thread and normal pages timed out.
worker_class = "gthread"
threads = _env_int("GUNICORN_THREADS", 4)

# Not preloaded: the application (and so Django, its settings and anything that opens a
# database or Redis connection at import time) is loaded in each worker after the fork. With
# preload, a connection opened in the master would be inherited and shared by every forked
# worker: two processes talking over one PostgreSQL socket corrupt the protocol. (It also lets
# a worker restart pick up a fresh import.) The cost is a little more memory per worker.
preload_app = False

# Recycle each worker after this many requests (± jitter, so they don't all restart at once):
# bounds slow memory growth.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# --- Timeouts -------------------------------------------------------------------------------
# A worker silent for longer than `timeout` seconds is killed and replaced.
timeout = _env_int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (deploy, scale down), workers get this long to finish their requests.
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Idle keep-alive connections from the proxy stay open this long. Longer than the proxy's own
# idle timeout for upstream connections (60 s in deploy/Caddyfile), so that the proxy, not
# gunicorn, closes them: otherwise the proxy may reuse a connection gunicorn is closing (502).
keepalive = _env_int("GUNICORN_KEEPALIVE", 75)

# Heartbeat files on a RAM disk: on Docker's overlay filesystem /tmp can stall workers.
# (Gunicorn creates them itself, unlinked, with mkstemp: nothing predictable lives there.)
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# --- Behind the proxy -----------------------------------------------------------------------
# Addresses allowed to set X-Forwarded-Proto & co. for gunicorn (wsgi.url_scheme). "*" is right
# only when nothing but the proxy can reach this port (the compose example: the port is not
# published). Django reads X-Forwarded-Proto itself (SECURE_PROXY_SSL_HEADER), which is why the
# web port must never be reachable from outside. Gunicorn leaves REMOTE_ADDR as the proxy's
# address: Django reads the client's from X-Forwarded-For (TRUSTED_PROXY_COUNT, see env.example).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# --- Logging --------------------------------------------------------------------------------
accesslog = "-"  # stdout
errorlog = "-"  # stderr
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client address as forwarded by the proxy, then the proxy's, the Host (which town), the
# request, status, size, duration in ms, referer and user agent.
access_log_format = (
    '%({x-forwarded-for}i)s %(h)s %({host}i)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'
)

# No runtime control socket (gunicorn ≥ 25); nothing here uses `gunicornc`.
control_socket_disable = True
