"""Residents' API keys: made, revoked and recognised here only (the account page and the API)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from accounts.tokens import token_hash, token_hashes
from tenants import audit

PURPOSE = "api"
# A recognisable prefix: a key pasted where it should not be is easy to spot (and to scan for).
PREFIX = "plc_"
MAX_ACTIVE = 10
# last_used_at is a hint for the resident ("used yesterday"), not a log: one write a minute.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def tokens_of(user: User) -> list[ApiToken]:
    """A resident's keys, newest first, revoked ones too (they say when they stopped)."""
    return list(ApiToken.objects.filter(user=user))


def get_token_for(user: User, pk: int) -> ApiToken:
    """One of this resident's own keys, else 404."""
    found = ApiToken.objects.filter(user=user, pk=pk).first()
    if found is None:
        raise Http404
    return found


@transaction.atomic
def create_token(user: User, *, name: str) -> tuple[ApiToken, str]:
    """A new key for `user`: the row, and the key in clear (never stored, shown once)."""
    # Lock the person, so that two clicks at once cannot pass the limit together.
    locked = User.objects.select_for_update().get(pk=user.pk)
    if ApiToken.objects.filter(user=locked, revoked_at__isnull=True).count() >= MAX_ACTIVE:
        raise TokenError(
            _("You already have %(count)s keys. Revoke one you no longer use first.")
            % {"count": MAX_ACTIVE}
        )
    clear = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=locked, name=name.strip(), token_hash=token_hash(clear, purpose=PURPOSE)
    )
    audit.record(
        "account.api_token_created",
        actor=locked,
        target=token,
        target_label=f"{token.name} ({locked})",
        after={"name": token.name},
    )
    return token, clear


@transaction.atomic
def revoke_token(user: User, pk: int) -> ApiToken:
    """Revoke one of `user`'s keys; a key already revoked stays as it was."""
    token = ApiToken.objects.select_for_update().filter(user=user, pk=pk).first()
    if token is None:
        raise Http404
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        "account.api_token_revoked",
        actor=user,
        target=token,
        target_label=f"{token.name} ({user})",
        before={"name": token.name},
    )
    return token


def user_for(clear: str) -> User | None:
    """The active resident whose live key this is on this town's site, else None.

    The hash is bound to the schema: a key of town A matches nothing on town B's site, even a
    row copied there with the same hash.
    """
    if not clear.startswith(PREFIX) or len(clear) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash__in=token_hashes(clear, purpose=PURPOSE), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
