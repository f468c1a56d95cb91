"""Password hashers for tests that count hashes or change the hasher's settings under a test."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher


class CountingHasher(MD5PasswordHasher):
    """The suite's MD5 hasher, counting the passwords it hashes (`CountingHasher.calls`)."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        type(self).calls += 1
        return super().encode(password, salt)


class FewerIterations(PBKDF2PasswordHasher):
    """PBKDF2 as an older Django would run it."""

    iterations = 1_000


class MoreIterations(PBKDF2PasswordHasher):
    """PBKDF2 after an upgrade: Django raises the iterations at most releases."""

    iterations = 2_000


def use(settings: Any, *hashers: type) -> None:
    settings.PASSWORD_HASHERS = [f"{hasher.__module__}.{hasher.__qualname__}" for hasher in hashers]
