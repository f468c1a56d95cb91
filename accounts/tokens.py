"""One-time links: a random token goes in the email, only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token for a link, and the hash to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)
