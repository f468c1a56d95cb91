"""Count the SQL queries one bench request makes, in-process (tests/bench/tenant_resolution.py).

Run with the environment of a bench server (_bench_support.bench_environment): it builds the
same WSGI application, sends a few requests for the bench view and prints one JSON line on
stdout: {"queries_per_request": float, "sql": [the statements of the last request]}.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from typing import Any

REQUESTS = 5


def _environ(path: str, host: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }


def _discard(data: bytes) -> None:
    pass


def main(host: str) -> int:
    import warnings

    from django.core.wsgi import get_wsgi_application

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. whitenoise on a missing STATIC_ROOT
        application = get_wsgi_application()
    from _tenant_bench_urls import BENCH_PATH
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statuses: list[str] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]:
        statuses.append(status)
        return _discard

    b"".join(application(_environ(BENCH_PATH, host), start_response))  # warm: first lookups
    sql: list[str] = []
    total = 0
    for _ in range(REQUESTS):
        with CaptureQueriesContext(connection) as captured:
            b"".join(application(_environ(BENCH_PATH, host), start_response))
        total += len(captured.captured_queries)
        sql = [query["sql"] for query in captured.captured_queries]
    if not all(status.startswith("200") for status in statuses):
        print(f"bench view answered {statuses}", file=sys.stderr)
        return 1
    print(json.dumps({"queries_per_request": total / REQUESTS, "sql": sql}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
