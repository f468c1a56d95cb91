"""Tokens bound to their schema: one-time links and codes stored as a keyed hash, signed values.

Every town's schema numbers its rows from 1 and every town shares SECRET_KEY, so a token proves
nothing unless the schema it was made for is part of what is hashed or signed. Here it always
is: a token made on town A's site fails on town B's and on the root domain, even where an
object with the same id exists. allauth's own tokens go through the same salt (`allauth_setting`
and `accounts.password_reset`).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

from tenants import schema as tenant_schema


def schema_salt(purpose: str, schema: str | None = None) -> str:
    """The salt of every token of this purpose made in this schema (the current one by default)."""
    return f"placette.{purpose}.{schema or tenant_schema.current_schema()}"


def _keyed_hash(token: str, salt: str, secret: str | bytes) -> str:
    return salted_hmac(salt, token, secret=secret, algorithm="sha256").hexdigest()


def token_hash(token: str, *, purpose: str, schema: str | None = None) -> str:
    """The stored form of a token: an HMAC-SHA256 under a key derived from SECRET_KEY, the
    purpose and the schema. Stable across Django upgrades, and one hash to find a row."""
    return _keyed_hash(token, schema_salt(purpose, schema), settings.SECRET_KEY)


def token_hashes(token: str, *, purpose: str, schema: str | None = None) -> list[str]:
    """Every stored form a token may have, to look it up with `token_hash__in`: under SECRET_KEY,
    then under each of SECRET_KEY_FALLBACKS (a rotated key does not void pending tokens)."""
    salt = schema_salt(purpose, schema)
    secrets_in_use = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return [_keyed_hash(token, salt, secret) for secret in secrets_in_use]


def new_token(*, purpose: str, schema: str | None = None) -> tuple[str, str]:
    """A fresh token for a link, and the hash to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token, purpose=purpose, schema=schema)


def derived_token(nonce: str, *, purpose: str, schema: str | None = None) -> str:
    """A link's token computed from a random nonce kept in its row: the same link can be sent
    again without keeping it, and the nonce alone (a database dump) gives nothing without the
    key. Store `token_hash` of the result, as for `new_token`."""
    return _keyed_hash(nonce, schema_salt(purpose + ".link", schema), settings.SECRET_KEY)


def sign(value: Any, *, purpose: str, schema: str | None = None) -> str:
    """A signed, timestamped value for a link that only the given schema's site accepts."""
    return signing.dumps(value, salt=schema_salt(purpose, schema))


def unsign(token: str, *, purpose: str, max_age: Any) -> Any:
    """The value of a token signed for the current schema; raises signing.BadSignature (and its
    SignatureExpired) for anything else, including a token signed for another schema."""
    return signing.loads(token, salt=schema_salt(purpose), max_age=max_age)


def allauth_setting(name: str, default: Any) -> Any:
    """ALLAUTH_SETTING_GETTER: allauth's settings, with its signing salt bound to the schema.

    allauth signs the email confirmation key (the EmailAddress id) with ACCOUNT_SALT; with one
    salt for all, town A's key for address 10 confirms town B's address 10.
    """
    if name == "ACCOUNT_SALT":
        return schema_salt("allauth.account")
    return getattr(settings, name, default)
