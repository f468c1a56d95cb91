"""The banner a town's site shows about its subscription."""

from __future__ import annotations

from django.http import HttpRequest

from billing.models import BillingAccount
from tenants import schema
from tenants.models import Collectivite


def site_banner(request: HttpRequest) -> dict[str, object]:
    if schema.is_public() or not hasattr(request, "tenant"):
        return {}
    tenant = schema.request_tenant(request)
    banner: dict[str, object] = {
        "site_read_only": tenant.site_access == Collectivite.Access.READ_ONLY
    }
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_town_admin", False):
        # Only admins see payment matters: one small query, for them alone.
        banner["billing_account"] = (
            BillingAccount.objects.filter(collectivite_id=tenant.pk)
            .only("status", "trial_ends_at", "stripe_subscription_id")
            .first()
        )
    return banner
