"""allauth's password reset tokens, bound to the schema (ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR).

The reset link carries the user's id, and every town numbers its users from 1: the token's
HMAC salt names the schema, so a link made on town A's site fails for town B's user with the
same id, and on the root domain.
"""

from __future__ import annotations

from allauth.account.forms import EmailAwarePasswordResetTokenGenerator

from accounts.tokens import schema_salt


class ResetTokenGenerator(EmailAwarePasswordResetTokenGenerator):
    @property
    def key_salt(self) -> str:
        return schema_salt("password-reset")
