"""The Stripe webhook endpoint (root domain only): verify, store once, queue, acknowledge.

An event is acknowledged once stored: from then on it is applied, by its task or by the sweep.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import services


@csrf_exempt  # authenticated by Stripe's signature over the raw body instead
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    signature = request.headers.get("Stripe-Signature", "")
    try:
        services.record_stripe_event(request.body, signature)
    except services.InvalidWebhook:
        return HttpResponse("invalid signature or payload", status=400)
    return HttpResponse("ok")
