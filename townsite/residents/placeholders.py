"""Stand-in email addresses for residents registered at the desk without one.

The user model needs a unique address; `.invalid` is reserved (RFC 2606), so nothing can ever
be delivered there, and nothing of ours mails it. The address is replaced as soon as the resident
verifies a real one (services.replace_placeholder_email).
"""

from __future__ import annotations

import secrets

PLACEHOLDER_DOMAIN = "sans-email.invalid"


def make_placeholder_email() -> str:
    return f"habitant-{secrets.token_hex(6)}@{PLACEHOLDER_DOMAIN}"


def is_placeholder_email(email: str) -> bool:
    return email.lower().endswith(f"@{PLACEHOLDER_DOMAIN}")
