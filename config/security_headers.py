"""The policies of the security headers that every answer carries, in every environment.

config/settings.py names them (SECURE_CSP, PERMISSIONS_POLICY); Django's middlewares send them,
with the rest of Django's defaults, which Placette keeps: X-Frame-Options DENY (for browsers
that predate frame-ancestors), X-Content-Type-Options nosniff, Cross-Origin-Opener-Policy
same-origin, and Referrer-Policy same-origin rather than strict-origin-when-cross-origin: not
even the origin of a page goes to another site, and none of a town's addresses (a conversation,
a reset link, a resident's profile) reaches another town, whose subdomain is another origin.
Mozilla's HTTP Observatory is the bar: no 'unsafe-inline', no 'unsafe-eval', frame-ancestors,
base-uri and form-action set (tests/integration/test_security_headers.py holds every header).
"""

from __future__ import annotations

from django.utils.csp import CSP


def content_security_policy(root_domain: str, *, any_port: bool) -> dict[str, list[str]]:
    """No inline script and no style="" attribute anywhere: the few <style> and <script>
    elements (the town's colour in base.html, the admin's own pages) carry the request's nonce,
    {% csp_nonce_attr %}; the nonce is in the header only on a page that used it. htmx is told
    not to add its own <style> (its meta config in base.html). The payment page adds Stripe.js,
    its frames and its API (billing.payment_policy).

    Browsers hold a form to form-action along its redirects too: a form of the public site
    whose answer sends the browser on to a town's site (a new town's welcome page, the console's
    support access) needs the towns' addresses, and no other site's. Outside production the
    port is the server's, which the tests choose at random.
    """
    port = ":*" if any_port else ""
    return {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF, CSP.NONCE],
        "style-src": [CSP.SELF, CSP.NONCE],
        # data: only for the QR code that the TOTP set-up shows as an image (allauth.mfa).
        "img-src": [CSP.SELF, "data:"],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.SELF],
        "form-action": [CSP.SELF, f"{root_domain}{port}", f"*.{root_domain}{port}"],
        "frame-ancestors": [CSP.NONE],
    }


# Browser features no page of ours uses, refused to the page and to any frame in it (Stripe's
# card field included: it needs none of them). The clipboard stays allowed: the API keys page
# copies a key.
PERMISSIONS_POLICY: dict[str, list[str]] = dict.fromkeys(
    [
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    ],
    [],
)
