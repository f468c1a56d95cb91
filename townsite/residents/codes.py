"""One-time login codes printed on the welcome sheet: making, reading, finding, rate limiting.

A code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), printed as
"K7QF-M3XD". Only a hash is stored. The hash uses a salt fixed per town, so that the code a
person types is found with one hash and one indexed lookup, instead of checking every pending
code's own salted hash (slow by design) one after the other.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.ratelimit import hit
from tenants import schema

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
VALIDITY = timedelta(days=30)

# At most this many tries per window, counted per client IP and per code prefix.
MAX_ATTEMPTS = 10
ATTEMPT_WINDOW_SECONDS = 15 * 60
PREFIX_LENGTH = 4

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.]+")


def generate() -> str:
    """A new code, normalised (no dash)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str:
    """What a person typed, as stored: upper case, no dashes or spaces."""
    return _SEPARATORS.sub("", typed).upper()


def is_well_formed(code: str) -> bool:
    return len(code) == LENGTH and all(char in ALPHABET for char in code)


def display(code: str) -> str:
    """Grouped by four for reading aloud and typing: K7QF-M3XD."""
    return f"{code[:4]}-{code[4:]}"


def _salt() -> str:
    # Alphanumeric (hashers refuse "$"), the same for every code of this town.
    return "code" + hashlib.sha256(schema.current_schema().encode()).hexdigest()[:18]


def hash_code(code: str) -> str:
    """The stored form of a normalised code."""
    return make_password(code, salt=_salt())


def expiry_from_now() -> datetime:
    return timezone.now() + VALIDITY


def _attempt_keys(client_ip: str, code: str) -> list[str]:
    # The cache is keyed by schema already: the counters of one town never meet another's.
    return [
        f"residents:code-login:ip:{client_ip}",
        f"residents:code-login:prefix:{code[:PREFIX_LENGTH]}",
    ]


def register_attempt(client_ip: str, code: str) -> bool:
    """Count one try; False when the IP or the code prefix has used up its tries."""
    results = [
        # Fails closed: the counter is all that stands between a short code and guessing it.
        hit(key, limit=MAX_ATTEMPTS, window_seconds=ATTEMPT_WINDOW_SECONDS, fail_open=False)
        for key in _attempt_keys(client_ip, code)
    ]
    return all(results)
