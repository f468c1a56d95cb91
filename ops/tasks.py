"""The console's periodic work: each serving town's figures, copied into the public schema."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from ops.refresh import refresh_towns
from tenants.models import Collectivite

# Towns per message: 36,000 towns make 360 messages, each a few seconds of work, so that the
# workers share them out and a retry redoes only the towns that failed.
BATCH_SIZE = 100


@shared_task
def refresh_all_figures(usage_months: int = 0) -> int:
    """Beat's job (public schema): send one batch task per BATCH_SIZE serving towns.

    `usage_months`: also recompute that many months of usage (this one first); 0: figures only.
    """
    pks = (
        Collectivite.objects.filter(status=Collectivite.Status.READY)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    batch: list[int] = []
    batches = 0
    for pk in pks.iterator(chunk_size=2000):
        batch.append(pk)
        if len(batch) == BATCH_SIZE:
            refresh_figures_batch.delay(batch, usage_months)
            batch, batches = [], batches + 1
    if batch:
        refresh_figures_batch.delay(batch, usage_months)
        batches += 1
    return batches


@shared_task(bind=True, max_retries=5)
def refresh_figures_batch(self: Any, pks: list[int], usage_months: int = 0) -> int:
    """Refresh these towns; those that failed are retried alone, later (1, 2, 4... minutes).
    Once the retries are spent the task fails, and the health page shows it."""
    failed = refresh_towns(pks, usage_months=usage_months)
    if failed:
        raise self.retry(
            args=(failed, usage_months),
            countdown=60 * 2**self.request.retries,
            exc=RuntimeError(f"figures of {len(failed)} town(s) not read: {failed[:20]}"),
        )
    return len(pks)
