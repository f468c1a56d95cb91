"""What the sign-up forgets, and when: the privacy policy of the public site says so."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from onboarding.models import SignupRequest, SiteClaim

# How long we keep what never became a site, and claims our staff settled.
UNCONFIRMED_KEPT = timedelta(days=30)
SETTLED_CLAIMS_KEPT = timedelta(days=365)


@transaction.atomic
def purge_old_requests() -> dict[str, int]:
    """Delete requests never confirmed, 30 days after their link expired, and claims settled by
    our staff more than a year ago."""
    now = timezone.now()
    requests, _rows = SignupRequest.objects.filter(
        confirmed_at__isnull=True, expires_at__lt=now - UNCONFIRMED_KEPT
    ).delete()
    settled, _rows = (
        SiteClaim.objects.exclude(status=SiteClaim.Status.OPEN)
        .filter(resolved_at__lt=now - SETTLED_CLAIMS_KEPT)
        .delete()
    )
    return {"requests": requests, "claims": settled}
