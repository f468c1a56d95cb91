"""Residents report content or a person; moderators hear of it by email, at most once an hour."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.kinds import Frequency
from notifications.models import Preference
from townsite.moderation import kinds, mail, registry
from townsite.moderation.errors import AlreadyReported, ModerationError
from townsite.moderation.models import ModeratorAlert, Reason, Report

logger = logging.getLogger(__name__)

ALERT_INTERVAL = timedelta(hours=1)
DETAILS_MAX_LENGTH = 2000


def reportable_target(user: User, kind_key: str, target_id: str) -> tuple[registry.Kind, Any]:
    """The kind and the object this person may report, or 404: an id they cannot see, their
    own content, hidden content and unknown kinds all look the same."""
    if not user.is_authenticated:
        raise Http404
    kind = registry.get(kind_key)
    obj = kind.get(target_id) if kind else None
    if kind is None or obj is None or not kind.reportable_by(user, obj):
        raise Http404
    return kind, obj


def open_report_of(user: User, kind_key: str, target_id: str) -> Report | None:
    return Report.objects.filter(
        reporter_id=user.pk, target_kind=kind_key, target_id=str(target_id), status="open"
    ).first()


@transaction.atomic
def report(
    reporter: User, kind_key: str, target_id: str, *, reason: str, details: str = ""
) -> Report:
    """Record a report. Raises AlreadyReported if this person's earlier one is still open."""
    reporter = User.objects.select_for_update().get(pk=reporter.pk)
    kind, obj = reportable_target(reporter, kind_key, target_id)
    details = details.strip()
    if reason not in Reason.values:
        raise ModerationError(_("Choose a reason from the list."))
    if reason == Reason.OTHER and not details:
        raise ModerationError(_("Say in a few words what is wrong."))
    if len(details) > DETAILS_MAX_LENGTH:
        raise ModerationError(
            _("Please keep it under %(max)s characters.") % {"max": DETAILS_MAX_LENGTH}
        )
    # The reporter's row is locked: two clicks at once wait for each other, and the second
    # finds the first report here.
    if open_report_of(reporter, kind.key, str(obj.pk)) is not None:
        raise AlreadyReported(
            _("You have already reported this. The moderators will look at it soon.")
        )
    try:
        with transaction.atomic():
            created = Report.objects.create(
                reporter=reporter,
                target_kind=kind.key,
                target_id=str(obj.pk),
                target_author=kind.author(obj),
                excerpt=kind.excerpt_of(obj),
                reason=reason,
                details=details,
            )
    except IntegrityError as error:  # the unique constraint, should the lock be bypassed
        raise AlreadyReported(
            _("You have already reported this. The moderators will look at it soon.")
        ) from error
    _alert_moderators()
    logger.info("Report %s on %s:%s", created.pk, kind.key, obj.pk)
    return created


def _wants_alerts(moderators: list[User]) -> list[User]:
    never = set(
        Preference.objects.filter(
            user__in=moderators, kind=kinds.NEW_REPORT, frequency=Frequency.NEVER
        ).values_list("user_id", flat=True)
    )
    return [person for person in moderators if person.pk not in never]


def _alert_moderators() -> None:
    """Email the moderators not emailed in the last hour (the rows are locked, so two reports
    at once send one email each at most); the mail goes once the transaction commits."""
    moderators = list(
        User.objects.filter(
            role__in=(User.Role.MODERATOR, User.Role.ADMIN), is_active=True
        ).order_by("pk")
    )
    moderators = _wants_alerts(moderators)
    if not moderators:
        return
    ModeratorAlert.objects.bulk_create(
        [ModeratorAlert(moderator=person) for person in moderators], ignore_conflicts=True
    )
    now = timezone.now()
    due = list(
        ModeratorAlert.objects.select_for_update()
        .filter(moderator__in=moderators)
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - ALERT_INTERVAL))
        .order_by("moderator_id")
        .values_list("moderator_id", flat=True)
    )
    if not due:
        return
    ModeratorAlert.objects.filter(moderator_id__in=due).update(last_sent_at=now)
    open_count = Report.objects.filter(status="open").count()
    mail.send_new_report_alert(
        [person for person in moderators if person.pk in due], open_count=open_count
    )
