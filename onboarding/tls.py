"""The TLS proxy's question, "is this host one of ours?" (Caddy's `on_demand_tls { ask }`).

Caddy asks before it obtains a certificate for a name it has none for: 200 lets it, anything
else refuses. Served on the root domain only (the town sites' URLconf has no such path).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import ratelimit
from tenants.directory import resolve_host
from tenants.domains import lookup_form
from tenants.middleware import is_root_host
from tenants.network import client_ip

# Caddy asks once per name it has no certificate for, then keeps the certificate: far fewer
# than this, even while a scanner sends it made-up names. The limit is only for a stranger
# asking in a loop (the proxy refuses this path from outside: deploy/Caddyfile); it fails
# open, since Redis being away must not stop a town's certificate from being renewed.
ASKS_PER_MINUTE = 600


@never_cache
@require_GET
def tls_ask(request: HttpRequest) -> HttpResponse:
    """200 when `?domain=` is a name we serve, 404 when not, 429 when asked too often.

    Ours: the root domain and its www (the wildcard certificate already covers them: Caddy
    will not ask, and a yes is true), and every domain of a collectivité, whatever its status:
    a suspended or deactivated town's addresses must still show its status page over HTTPS.
    """
    if not ratelimit.hit(
        f"tls-ask:{client_ip(request)}", limit=ASKS_PER_MINUTE, window_seconds=60, fail_open=True
    ):
        return HttpResponse("too many requests\n", status=429, content_type="text/plain")
    host = lookup_form(request.GET.get("domain", ""))
    # One read of the host map: a known name is in memory, an unknown one is remembered too.
    if host and (is_root_host(host) or resolve_host(host) is not None):
        return HttpResponse("ok\n", content_type="text/plain")
    return _unknown()


def _unknown() -> HttpResponse:
    return HttpResponse("unknown\n", status=404, content_type="text/plain")
