"""One-time login codes printed on the welcome sheet: making, reading, hashing, rate limiting.

A code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), printed as
"K7QF-M3XD". Only a keyed hash is stored (accounts.tokens: HMAC-SHA256 under a key derived from
SECRET_KEY and bound to the town's schema), so the code a person types is found with one cheap
hash and one lookup: an unauthenticated try costs nothing, a stolen table reveals no code, and
the stored form does not change with Django's password hasher settings.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.utils import timezone

from accounts import tokens
from accounts.ratelimit import hit

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


PURPOSE = "residents.desk-code"


def hash_code(code: str) -> str:
    """The stored form of a normalised code, for this town's schema."""
    return tokens.token_hash(code, purpose=PURPOSE)


def code_hashes(code: str) -> list[str]:
    """Every form a code of this town may be stored in (SECRET_KEY and its fallbacks)."""
    return tokens.token_hashes(code, purpose=PURPOSE)


# Codes issued before the keyed hash were stored as make_password(code, salt=<the town's>),
# "algorithm$iterations$salt$hash", and found by exact string: a Django upgrade changes the
# iterations and they stopped matching. They stay valid until they expire (30 days after
# issue): a code is re-hashed with each set of parameters that pending codes still carry.
LEGACY_MARK = "$"  # in every make_password form, never in the keyed hash (hexadecimal)


def legacy_hashes(code: str, stored: Iterable[str]) -> list[str]:
    """This code as make_password would have stored it, once per parameter set in `stored`."""
    by_parameters: dict[str, str] = {}
    for encoded in stored:
        parameters = encoded.rsplit("$", 1)[0]
        if parameters not in by_parameters:
            by_parameters[parameters] = _rehash_like(code, encoded)
    return [form for form in by_parameters.values() if form]


def _rehash_like(code: str, encoded: str) -> str:
    try:
        hasher = identify_hasher(encoded)
    except ValueError:  # an algorithm no longer in PASSWORD_HASHERS: nothing can match
        return ""
    decoded = hasher.decode(encoded)
    if isinstance(hasher, PBKDF2PasswordHasher):  # Django's default: iterations in the string
        return hasher.encode(code, decoded["salt"], decoded["iterations"])
    return hasher.encode(code, decoded["salt"])


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
        hit(key, limit=MAX_ATTEMPTS, window_seconds=ATTEMPT_WINDOW_SECONDS)
        for key in _attempt_keys(client_ip, code)
    ]
    return all(results)
