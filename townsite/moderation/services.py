"""What moderators do: hide, restore, dismiss, warn, suspend, lift. The only code writing them.

Each action locks the moderator's row (their rights may have gone since the page was shown),
the content and its open reports, re-reads them, changes only what needs it, keeps a line in
the moderation log and an audit entry, and tells the people concerned in the same transaction
(their email goes once it commits).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.models import Notification
from notifications.services import notify, notify_many
from tenants import audit
from townsite.models import ResidentProfile
from townsite.moderation import kinds, mail, registry
from townsite.moderation.errors import ModerationError
from townsite.moderation.models import ModerationAction, Report

logger = logging.getLogger(__name__)
Kind = ModerationAction.Kind
REASON_MAX_LENGTH = 2000

# The audit log's codes (townsite.setup.audit_labels gives them their French label).
AUDIT_CODES = {
    Kind.HIDE: "moderator.hide",
    Kind.RESTORE: "moderator.restore",
    Kind.DISMISS: "moderator.dismiss",
    Kind.WARN: "moderator.warn",
    Kind.SUSPEND: "moderator.suspend",
    Kind.LIFT: "moderator.lift",
}


@dataclass
class Target:
    kind: registry.Kind
    target_id: str
    obj: Any | None  # None: deleted since it was reported
    open_reports: list[Report]

    @property
    def author(self) -> User | None:
        return self.kind.author(self.obj) if self.obj is not None else None

    @property
    def label(self) -> str:
        if self.obj is not None:
            return self.kind.excerpt_of(self.obj)
        return self.open_reports[0].excerpt if self.open_reports else ""


def current_moderator(actor: User) -> User:
    """The moderator, re-read and locked; PermissionDenied if they are one no longer."""
    current = User.objects.select_for_update().filter(pk=actor.pk, is_active=True).first()
    if current is None or not current.is_moderator:
        raise PermissionDenied
    return current


def _locked_target(kind_key: str, target_id: str) -> Target:
    kind = registry.get(kind_key)
    if kind is None:
        raise Http404
    obj = kind.locked(target_id)
    target_id = str(obj.pk) if obj is not None else str(target_id)
    reports = list(
        Report.objects.select_for_update(of=("self",))
        .filter(target_kind=kind.key, target_id=target_id, status=Report.Status.OPEN)
        .select_related("reporter")
        .order_by("pk")
    )
    if obj is None and not reports:
        raise Http404
    return Target(kind=kind, target_id=target_id, obj=obj, open_reports=reports)


def _not_about_oneself(actor: User, person: User | None) -> None:
    if person is not None and person.pk == actor.pk:
        raise ModerationError(_("Another moderator must handle what concerns you."))


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = reason.strip()
    if required and not reason:
        raise ModerationError(_("Please write the reason: it is kept in the moderation log."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ModerationError(
            _("Please keep it under %(max)s characters.") % {"max": REASON_MAX_LENGTH}
        )
    return reason


def _log(
    actor: User,
    kind: str,
    target: Target,
    *,
    reason: str,
    person: User | None,
    reports: Iterable[Report] = (),
    label: str = "",
) -> ModerationAction:
    entry = ModerationAction.objects.create(
        actor=actor,
        actor_label=(actor.display_name or actor.email)[:200],
        kind=kind,
        target_kind=target.kind.key,
        target_id=target.target_id,
        target_label=(label or target.label)[:300],
        target_user=person,
        reason=reason,
    )
    entry.reports.set(list(reports))
    audit.record(
        AUDIT_CODES[Kind(kind)],
        actor=actor,
        target=target.obj,
        target_label=f"{target.kind.label} : {label or target.label}"[:200],
        reason=reason,
    )
    return entry


def _site_language() -> Any:
    # Notifications are written in the site's language, whoever's browser acted.
    return translation.override(settings.LANGUAGE_CODE)


def _settle_reports(actor: User, target: Target, *, status: str, outcome: str) -> list[Report]:
    """Close the target's open reports and tell each reporter, once, what was decided."""
    now = timezone.now()
    reports = target.open_reports
    for open_report in reports:
        open_report.status = status
        open_report.resolved_at = now
        open_report.resolved_by = actor
    Report.objects.bulk_update(reports, ["status", "resolved_at", "resolved_by"])
    reporters = {r.reporter_id: r.reporter for r in reports if r.reporter is not None}
    if reporters:
        with _site_language():
            notify_many(
                list(reporters.values()),
                kinds.OUTCOME,
                title=_("Your report was examined"),
                body=outcome,
            )
    return reports


def _tell_person(person: User, *, title: str, body: str, template: str, actor: User) -> None:
    """A decision about someone: in their notifications and by email, whatever their email
    preferences. The notification is marked emailed so no digest sends it a second time."""
    with _site_language():
        notification = notify(person, kinds.WARNING, title=title, body=body, actor=actor)
        if notification is not None:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        mail.send_to_resident(person, template=template, message=body)


def _hide(obj: Any, kind: registry.Kind, actor: User, reason: str, *, suspension: bool) -> None:
    obj.hidden_at = timezone.now()
    obj.hidden_by = actor
    obj.hidden_reason = reason[:500]
    obj.hidden_with_suspension = suspension
    obj.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "hidden_with_suspension"])
    if kind.hide is not None:
        kind.hide(obj)


def _restore(obj: Any, kind: registry.Kind) -> None:
    obj.hidden_at = None
    obj.hidden_by = None
    obj.hidden_reason = ""
    obj.hidden_with_suspension = False
    obj.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "hidden_with_suspension"])
    if kind.restore is not None:
        kind.restore(obj)


@transaction.atomic
def hide_content(
    actor: User, kind_key: str, target_id: str, *, reason: str
) -> ModerationAction | None:
    """Hide the content from everybody but its author's export; settles its reports. None
    when it was hidden already."""
    actor = current_moderator(actor)
    reason = _clean_reason(reason, required=True)
    target = _locked_target(kind_key, target_id)
    if not target.kind.hideable or target.obj is None:
        raise ModerationError(_("This cannot be hidden."))
    _not_about_oneself(actor, target.author)
    if target.obj.hidden_at is not None:
        return None
    _hide(target.obj, target.kind, actor, reason, suspension=False)
    with _site_language():
        outcome = _("The moderators hid what you reported. Thank you for your help.")
    reports = _settle_reports(actor, target, status=Report.Status.ACTIONED, outcome=outcome)
    return _log(actor, Kind.HIDE, target, reason=reason, person=target.author, reports=reports)


@transaction.atomic
def restore_content(
    actor: User, kind_key: str, target_id: str, *, reason: str
) -> ModerationAction | None:
    """Show hidden content again. None when it was not hidden."""
    actor = current_moderator(actor)
    reason = _clean_reason(reason, required=True)
    target = _locked_target(kind_key, target_id)
    if not target.kind.hideable or target.obj is None:
        raise ModerationError(_("This cannot be hidden."))
    _not_about_oneself(actor, target.author)
    if target.obj.hidden_at is None:
        return None
    _restore(target.obj, target.kind)
    return _log(actor, Kind.RESTORE, target, reason=reason, person=target.author)


@transaction.atomic
def dismiss_reports(
    actor: User, kind_key: str, target_id: str, *, reason: str = ""
) -> ModerationAction | None:
    """Nothing against the charter: the open reports are closed. None when there were none."""
    actor = current_moderator(actor)
    reason = _clean_reason(reason, required=False)
    target = _locked_target(kind_key, target_id)
    _not_about_oneself(actor, target.author)
    if not target.open_reports:
        return None
    with _site_language():
        outcome = _(
            "The moderators looked at what you reported and found nothing against the "
            "town's charter. Thank you for your vigilance."
        )
    reports = _settle_reports(actor, target, status=Report.Status.DISMISSED, outcome=outcome)
    return _log(actor, Kind.DISMISS, target, reason=reason, person=target.author, reports=reports)


def _author_of(target: Target) -> User:
    person = target.author
    if person is None:
        raise ModerationError(_("This content has no author any more."))
    return User.objects.select_for_update().get(pk=person.pk)


@transaction.atomic
def warn_author(actor: User, kind_key: str, target_id: str, *, message: str) -> ModerationAction:
    """Send the author (or the reported person) a warning; settles the open reports."""
    actor = current_moderator(actor)
    message = _clean_reason(message, required=True)
    target = _locked_target(kind_key, target_id)
    person = _author_of(target)
    _not_about_oneself(actor, person)
    with _site_language():
        title = _("A warning from the moderators")
        outcome = _("The moderators sent a warning to the person concerned. Thank you.")
    _tell_person(person, title=title, body=message, template="warning", actor=actor)
    reports = _settle_reports(actor, target, status=Report.Status.ACTIONED, outcome=outcome)
    return _log(actor, Kind.WARN, target, reason=message, person=person, reports=reports)


def _locked_profile(person: User) -> ResidentProfile:
    ResidentProfile.objects.get_or_create(user=person)
    return ResidentProfile.objects.select_for_update().get(user=person)


def _content_of(person: User) -> Iterable[tuple[registry.Kind, Any]]:
    for kind in registry.all_kinds():
        if kind.hideable and kind.authored_by is not None:
            for obj in kind.authored_by(person).select_for_update(of=("self",)).order_by("pk"):
                yield kind, obj


@transaction.atomic
def suspend_resident(
    actor: User, kind_key: str, target_id: str, *, reason: str
) -> ModerationAction | None:
    """Suspend the author (or the reported person): their content is hidden, they keep reading,
    exporting and deleting their account. None when they were suspended already."""
    actor = current_moderator(actor)
    reason = _clean_reason(reason, required=True)
    target = _locked_target(kind_key, target_id)
    person = _author_of(target)
    _not_about_oneself(actor, person)
    if person.role != User.Role.RESIDENT:
        raise ModerationError(
            _(
                "A member of the town's team cannot be suspended. An administrator can first "
                "take their role away."
            )
        )
    profile = _locked_profile(person)
    if profile.suspended_at is not None:
        return None
    profile.suspended_at = timezone.now()
    profile.suspended_by = actor
    profile.suspension_reason = reason
    profile.save(update_fields=["suspended_at", "suspended_by", "suspension_reason"])
    hidden = 0
    for kind, obj in _content_of(person):
        if obj.hidden_at is None:
            _hide(obj, kind, actor, reason, suspension=True)
            hidden += 1
    with _site_language():
        title = _("Your account is suspended")
        outcome = _("The moderators suspended the person concerned. Thank you.")
    _tell_person(person, title=title, body=reason, template="suspended", actor=actor)
    reports = _settle_reports(actor, target, status=Report.Status.ACTIONED, outcome=outcome)
    logger.info("Resident %s suspended by %s (%s items hidden)", person.pk, actor.pk, hidden)
    return _log(
        actor,
        Kind.SUSPEND,
        Target(registry.get(registry.PERSON), str(person.pk), person, []),  # type: ignore[arg-type]
        reason=reason,
        person=person,
        reports=reports,
        label=person.display_name,
    )


@transaction.atomic
def lift_suspension(actor: User, person_id: int, *, reason: str) -> ModerationAction | None:
    """The person may post again; what their suspension hid comes back. None when they were not
    suspended."""
    actor = current_moderator(actor)
    reason = _clean_reason(reason, required=True)
    person = User.objects.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise Http404
    _not_about_oneself(actor, person)
    profile = ResidentProfile.objects.select_for_update().filter(user=person).first()
    if profile is None or profile.suspended_at is None:
        return None
    profile.suspended_at = None
    profile.suspended_by = None
    profile.suspension_reason = ""
    profile.save(update_fields=["suspended_at", "suspended_by", "suspension_reason"])
    for kind, obj in _content_of(person):
        if obj.hidden_at is not None and obj.hidden_with_suspension:
            _restore(obj, kind)
    with _site_language():
        title = _("Your account is no longer suspended")
        body = _("You can post and write messages again.")
    _tell_person(person, title=title, body=body, template="lifted", actor=actor)
    person_kind = registry.get(registry.PERSON)
    assert person_kind is not None
    return _log(
        actor,
        Kind.LIFT,
        Target(person_kind, str(person.pk), person, []),
        reason=reason,
        person=person,
        label=person.display_name,
    )
