"""The emails of notifications: one right away, or a digest; each with its unsubscribe link.

Every message carries a link to unsubscribe from its kinds (RFC 8058: `List-Unsubscribe` and
`List-Unsubscribe-Post`, so a mail client's button works in one click). The link's token is
signed for the town's schema, the person and the kinds (accounts.tokens): it is refused on any
other town's site, and changes nothing but that person's choice for those kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation

from accounts import tokens
from accounts.mail import from_email_named, templated_message
from accounts.models import User
from notifications import kinds
from notifications.kinds import Frequency
from notifications.models import Notification
from tenants import schema
from tenants.addresses import town_url
from tenants.models import Collectivite
from tenants.names import signature

UNSUBSCRIBE_PURPOSE = "notifications.unsubscribe"
# A digest lists this many notifications of a kind, then says how many more are on the site.
DIGEST_ITEMS_PER_KIND = 10


def can_be_emailed(user: User) -> bool:
    """An open account with an address that can receive mail (`.invalid`, RFC 2606, is the
    stand-in of residents registered at the desk without one)."""
    email = (user.email or "").lower()
    return bool(user.is_active and email and not email.endswith(".invalid"))


def unsubscribe_token(user: User, kind_codes: Iterable[str]) -> str:
    return tokens.sign({"u": user.pk, "k": sorted(set(kind_codes))}, purpose=UNSUBSCRIBE_PURPOSE)


@dataclass(frozen=True)
class Unsubscription:
    user_id: int
    kind_codes: list[str]


def read_unsubscribe_token(token: str) -> Unsubscription | None:
    """What a link asks, if it was made on this town's site; None otherwise. Links do not
    expire: an old email's link must still work."""
    try:
        value = tokens.unsign(token, purpose=UNSUBSCRIBE_PURPOSE, max_age=None)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict):
        return None
    user_id, codes = value.get("u"), value.get("k")
    if not isinstance(user_id, int) or not isinstance(codes, list) or not codes:
        return None
    if not all(isinstance(code, str) for code in codes):
        return None
    return Unsubscription(user_id=user_id, kind_codes=codes)


@dataclass(frozen=True)
class Town:
    """What every email of a batch says about the town: worked out once per batch."""

    slug: str
    name: str
    signature: str

    def url(self, path: str) -> str:
        return town_url(self.slug, path)

    @classmethod
    def current(cls) -> Town:
        town = schema.current_tenant()
        if not isinstance(town, Collectivite):  # schema_context() activates a stand-in
            town = Collectivite.objects.get(schema_name=schema.current_schema())
        with translation.override("fr"):
            signed_by = signature(town)
        return cls(slug=town.slug, name=town.name, signature=signed_by)

    def notification_path(self, pk: int) -> str:
        return _open_path_format().format(pk)

    def context(self) -> dict[str, Any]:
        return {
            "town_name": self.name,
            "signature": self.signature,
            "site_url": self.url("/"),
            "preferences_link": self.url(reverse("notifications:preferences")),
            "list_link": self.url(reverse("notifications:list")),
        }


_PK_MARK = 987654321


@lru_cache(maxsize=1)
def _open_path_format() -> str:
    """The path of a notification's page with `{}` for its id: a digest links dozens, and
    reversing each costs more than the rest of its line."""
    return reverse("notifications:open", args=[_PK_MARK]).replace(str(_PK_MARK), "{}")


def unsubscribe_url(town: Town, user: User, kind_codes: Iterable[str]) -> str:
    token = unsubscribe_token(user, kind_codes)
    return town.url(reverse("notifications:unsubscribe", args=[token]))


def _unsubscribe_headers(link: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _kind_label(code: str) -> str:
    try:
        return str(kinds.get(code).label)
    except KeyError:
        return code


def _message(
    town: Town, template: str, context: dict[str, Any], user: User, link: str
) -> EmailMessage:
    return templated_message(
        template,
        {**town.context(), **context},
        [user.email],
        subject_prefix=f"[{town.name}] ",
        from_email=from_email_named(town.name),
        headers=_unsubscribe_headers(link),
    )


def notification_link(town: Town, notification: Notification) -> str:
    return town.url(town.notification_path(notification.pk))


def immediate_message(town: Town, notification: Notification) -> EmailMessage:
    """One notification, by email as soon as it is made."""
    user = notification.recipient
    unsubscribe = unsubscribe_url(town, user, [notification.kind])
    context = {
        "notification": notification,
        "link": notification_link(town, notification),
        "kind_label": _kind_label(notification.kind),
        "unsubscribe_link": unsubscribe,
    }
    return _message(town, "notifications/email/notification", context, user, unsubscribe)


@dataclass(frozen=True)
class DigestGroup:
    label: str
    items: list[tuple[str, str]]  # (title, link)
    more: int
    unsubscribe_link: str


def digest_message(
    town: Town, user: User, frequency: str, notifications: Sequence[Notification]
) -> EmailMessage:
    """A digest: the notifications of a day or a week, grouped by kind, newest first."""
    by_kind: dict[str, list[Notification]] = {}
    for notification in sorted(notifications, key=lambda n: (n.created_at, n.pk), reverse=True):
        by_kind.setdefault(notification.kind, []).append(notification)
    groups = [
        DigestGroup(
            label=_kind_label(code),
            items=[(n.title, notification_link(town, n)) for n in rows[:DIGEST_ITEMS_PER_KIND]],
            more=max(0, len(rows) - DIGEST_ITEMS_PER_KIND),
            unsubscribe_link=unsubscribe_url(town, user, [code]),
        )
        for code, rows in sorted(by_kind.items(), key=lambda item: _kind_label(item[0]))
    ]
    unsubscribe_all = unsubscribe_url(town, user, by_kind)
    context = {
        "weekly": frequency == Frequency.WEEKLY,
        "count": len(notifications),
        "groups": groups,
        "unsubscribe_link": unsubscribe_all,
    }
    return _message(town, "notifications/email/digest", context, user, unsubscribe_all)
