"""The end of a town's life, in two steps: deactivation with a deletion date, then the wipe.

Deactivating only closes the site (its addresses answer 410) and sets the date; it can be taken
back until the wipe. The wipe is a second, explicit action, allowed on or after that date and
only by another staff member than the one who deactivated: it drops every table of the town's
schema and its media, and keeps the Collectivite row, its domains and its audit log.

These functions change the row and return (before, after); the caller (ops.lifecycle) adds
the billing part and writes the one audit entry of the action, in the same transaction.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.postgresql_backend.base import is_valid_schema_name
from django_tenants.utils import schema_exists

from tenants import exports
from tenants.export_archive import media_folder
from tenants.models import Collectivite

MIN_NOTICE_DAYS = 30
Changes = tuple[dict[str, Any], dict[str, Any]]
Status = Collectivite.Status


class LifecycleError(Exception):
    """Why the change is refused, in French for the staff member; nothing was changed."""


def _lock(collectivite: Collectivite) -> Collectivite:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Change a collectivité's lifecycle inside the action's transaction.")
    return Collectivite.objects.select_for_update().get(pk=collectivite.pk)


def earliest_deletion_date(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=MIN_NOTICE_DAYS)


def schedule_deletion(collectivite: Collectivite, *, on: date, actor: Any) -> Changes:
    """Deactivate: the site closes (410) and the data may be wiped on or after `on`."""
    town = _lock(collectivite)
    if town.wiped_at is not None:
        raise LifecycleError(_("This collectivité's data is already wiped."))
    if town.status == Status.DEACTIVATED:
        raise LifecycleError(_("This collectivité is already deactivated."))
    if town.status == Status.PROVISIONING:
        raise LifecycleError(_("This collectivité's site is still being prepared."))
    earliest = earliest_deletion_date()
    if on < earliest:
        raise LifecycleError(
            _("The deletion date must be at least %(days)s days from today: %(date)s or later.")
            % {"days": MIN_NOTICE_DAYS, "date": earliest.strftime("%d/%m/%Y")}
        )
    before = {"status": town.status, "deletion_scheduled_for": None}
    town.status = Status.DEACTIVATED
    town.deletion_scheduled_for = on
    town.deactivated_by_id = actor.pk
    town.save(update_fields=["status", "deletion_scheduled_for", "deactivated_by_id"])
    return before, {"status": town.status, "deletion_scheduled_for": on.isoformat()}


def cancel_deletion(collectivite: Collectivite) -> Changes:
    """Take the deactivation back before the wipe: the site is open again."""
    town = _lock(collectivite)
    if town.wiped_at is not None:
        raise LifecycleError(_("This collectivité's data is already wiped: it cannot come back."))
    if town.status != Status.DEACTIVATED:
        raise LifecycleError(_("This collectivité is not deactivated."))
    before = {
        "status": town.status,
        "deletion_scheduled_for": town.deletion_scheduled_for.isoformat()
        if town.deletion_scheduled_for
        else None,
    }
    town.status = Status.READY
    town.deletion_scheduled_for = None
    town.deactivated_by_id = None
    town.save(update_fields=["status", "deletion_scheduled_for", "deactivated_by_id"])
    return before, {"status": town.status, "deletion_scheduled_for": None}


def check_wipe(town: Collectivite, actor: Any) -> None:
    """Raise LifecycleError unless `actor` may wipe the town now."""
    if town.wiped_at is not None:
        raise LifecycleError(_("This collectivité's data is already wiped."))
    if town.status != Status.DEACTIVATED or town.deletion_scheduled_for is None:
        raise LifecycleError(_("Deactivate the collectivité with a deletion date first."))
    if timezone.localdate() < town.deletion_scheduled_for:
        raise LifecycleError(
            _("The data can be wiped only from %(date)s, the deletion date.")
            % {"date": town.deletion_scheduled_for.strftime("%d/%m/%Y")}
        )
    if town.deactivated_by_id == actor.pk:
        raise LifecycleError(
            _("Another staff member than the one who deactivated it must wipe the data.")
        )


def wipe(collectivite: Collectivite, *, actor: Any) -> Changes:
    """Drop every table of the town's schema, its media and its export archives."""
    town = _lock(collectivite)
    check_wipe(town, actor)
    name = town.schema_name
    if not is_valid_schema_name(name) or name in ("public", settings.TENANT_BASE_SCHEMA):
        raise RuntimeError(f"Refusing to drop the schema {name!r}.")
    with connection.cursor() as cursor:
        if schema_exists(name):
            cursor.execute(f'DROP SCHEMA "{name}" CASCADE')
        # An empty schema stays under the same name: django-tenants would clone the template
        # back into a missing schema on the row's next save, and migrate_schemas (which goes
        # over every row) stops on a missing one. Empty, it holds nothing of the town's.
        cursor.execute(f'CREATE SCHEMA "{name}"')
    town.wiped_at = timezone.now()
    town.save(update_fields=["wiped_at"])
    exports.forget_archives(town)
    media = media_folder(name)
    transaction.on_commit(lambda: shutil.rmtree(media, ignore_errors=True))
    return {"wiped_at": None}, {"wiped_at": town.wiped_at.isoformat()}
