"""Email preferences per kind: read in bulk, and written in one place."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction

from accounts.models import User
from notifications import kinds
from notifications.kinds import Frequency, Kind
from notifications.models import Preference
from tenants import audit

AUDIT_ACTION = "account.email_preferences"


def kinds_for(user: User) -> list[Kind]:
    """The kinds a person may choose for: staff-only ones only for the town's staff."""
    return [kind for kind in kinds.all_kinds() if not kind.staff_only or user.is_moderator]


def frequencies(user: User) -> dict[str, str]:
    """Every kind this person may choose for, with its frequency (their choice or the default)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "frequency"))
    return {kind.code: chosen.get(kind.code, kind.default_frequency) for kind in kinds_for(user)}


def frequencies_for(
    user_ids: Iterable[int], kind_codes: Iterable[str]
) -> dict[tuple[int, str], str]:
    """(user id, kind) → frequency for many people and kinds, in one query."""
    user_ids, kind_codes = list(user_ids), set(kind_codes)
    chosen = {
        (user_id, kind): frequency
        for user_id, kind, frequency in Preference.objects.filter(
            user_id__in=user_ids, kind__in=kind_codes
        ).values_list("user_id", "kind", "frequency")
    }
    defaults = {code: _default(code) for code in kind_codes}
    return {
        (user_id, code): chosen.get((user_id, code), defaults[code])
        for user_id in user_ids
        for code in kind_codes
    }


def _default(code: str) -> str:
    try:
        return kinds.get(code).default_frequency
    except KeyError:  # a kind no longer registered: nothing more is emailed for it
        return Frequency.NEVER


@transaction.atomic
def set_frequencies(
    user: User, wanted: Mapping[str, str], *, acting_user: User | None = None
) -> dict[str, str]:
    """Save the frequencies that differ from what the person has now; returns those changes.

    The person's row is locked first, so two saves (two tabs, a click on an unsubscribe link)
    are applied one after the other, each on what the other left.
    """
    allowed = {kind.code for kind in kinds_for(user)}
    unknown = [
        code
        for code, value in wanted.items()
        if code not in allowed or value not in Frequency.CHOICES
    ]
    if unknown:
        raise ValueError(f"unknown kinds or frequencies: {sorted(unknown)}")
    User.objects.select_for_update().only("pk").get(pk=user.pk)
    current = frequencies(user)
    changed = {code: value for code, value in wanted.items() if current[code] != value}
    if not changed:
        return {}
    rows = {row.kind: row for row in Preference.objects.filter(user=user, kind__in=changed)}
    new_rows = []
    for code, value in changed.items():
        row = rows.get(code)
        if row is None:
            new_rows.append(Preference(user=user, kind=code, frequency=value))
        else:
            row.frequency = value
            row.save(update_fields=["frequency"])
    Preference.objects.bulk_create(new_rows)
    audit.record(
        AUDIT_ACTION,
        actor=acting_user or user,
        target=user,
        target_label=user.display_name or str(user.pk),
        before={code: current[code] for code in changed},
        after=changed,
    )
    return changed


def unsubscribe(user: User, kind_codes: Iterable[str]) -> dict[str, str]:
    """The kinds set to never (an unsubscribe link): those still registered and open to them."""
    allowed = {kind.code for kind in kinds_for(user)}
    return set_frequencies(user, {code: Frequency.NEVER for code in kind_codes if code in allowed})
