"""Tasks run eagerly in tests, and eager tasks re-raise at once (CELERY_TASK_EAGER_PROPAGATES):
then Celery neither retries them nor sends task_failure. This lets one test see a task go through
its retries and fail as on a worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from config.celery import app


@pytest.fixture
def as_on_a_worker() -> Iterator[None]:
    app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        app.conf.task_eager_propagates = True
