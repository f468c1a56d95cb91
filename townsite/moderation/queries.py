"""What moderators read: the queue, one target's file, the log, the suspended residents.

Each reader takes the person asking and refuses anyone but the town's moderators and admins,
so no view can forget the check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from accounts.models import User
from townsite.models import ResidentProfile
from townsite.moderation import registry
from townsite.moderation.models import ModerationAction, Report

QUEUE_PAGE_SIZE = 20
LOG_PAGE_SIZE = 30


def require_moderator(user: User) -> None:
    if not (user.is_authenticated and user.is_active and user.is_moderator):
        raise PermissionDenied


@dataclass
class QueueItem:
    """The open reports on one target, as the queue shows them."""

    kind_key: str
    target_id: str
    count: int
    latest: datetime
    reports: list[Report] = field(default_factory=list)

    @property
    def kind(self) -> registry.Kind | None:
        return registry.get(self.kind_key)

    @property
    def kind_label(self) -> str:
        kind = self.kind
        return str(kind.label) if kind else self.kind_key

    @property
    def excerpt(self) -> str:
        return self.reports[0].excerpt if self.reports else ""

    @property
    def author(self) -> User | None:
        return self.reports[0].target_author if self.reports else None

    @property
    def reasons(self) -> list[str]:
        seen: list[str] = []
        for item in self.reports:
            label = str(item.get_reason_display())
            if label not in seen:
                seen.append(label)
        return seen


def queue_page(moderator: User, page_number: Any) -> tuple[Page[Any], list[QueueItem]]:
    """Open reports grouped by target, the most recently reported first (a constant number
    of queries whatever the page holds)."""
    require_moderator(moderator)
    groups = (
        Report.objects.filter(status=Report.Status.OPEN)
        .values("target_kind", "target_id")
        .annotate(count=Count("pk"), latest=Max("created_at"))
        .order_by("-latest", "target_kind", "target_id")
    )
    page = Paginator(groups, QUEUE_PAGE_SIZE).get_page(page_number)
    items = [
        QueueItem(g["target_kind"], g["target_id"], g["count"], g["latest"])
        for g in page.object_list
    ]
    if items:
        match = Q()
        for item in items:
            match |= Q(target_kind=item.kind_key, target_id=item.target_id)
        by_target: dict[tuple[str, str], list[Report]] = {}
        for found in (
            Report.objects.filter(match, status=Report.Status.OPEN)
            .select_related("reporter", "target_author__resident_profile")
            .order_by("-created_at", "-pk")
        ):
            by_target.setdefault((found.target_kind, found.target_id), []).append(found)
        for item in items:
            item.reports = by_target.get((item.kind_key, item.target_id), [])
    return page, items


def open_report_count(moderator: User) -> int:
    require_moderator(moderator)
    return Report.objects.filter(status=Report.Status.OPEN).count()


@dataclass
class TargetFile:
    """Everything a moderator needs to decide about one target."""

    kind: registry.Kind
    target_id: str
    obj: Any | None
    open_reports: list[Report]
    history: list[ModerationAction]
    author: User | None
    author_profile: ResidentProfile | None

    @property
    def excerpt(self) -> str:
        if self.obj is not None:
            return self.kind.excerpt_of(self.obj)
        return self.open_reports[0].excerpt if self.open_reports else ""

    @property
    def url(self) -> str:
        return self.kind.url(self.obj) if self.obj is not None else ""

    @property
    def is_hidden(self) -> bool:
        return getattr(self.obj, "hidden_at", None) is not None

    @property
    def is_person(self) -> bool:
        return self.kind.key == registry.PERSON

    @property
    def author_suspended(self) -> bool:
        return bool(self.author_profile and self.author_profile.suspended_at)


def target_file(moderator: User, kind_key: str, target_id: str) -> TargetFile:
    require_moderator(moderator)
    kind = registry.get(kind_key)
    if kind is None:
        raise Http404
    obj = kind.get(target_id)
    target_id = str(obj.pk) if obj is not None else target_id
    reports = list(
        Report.objects.filter(target_kind=kind.key, target_id=target_id, status="open")
        .select_related("reporter")
        .order_by("-created_at", "-pk")
    )
    if obj is None and not reports:
        raise Http404
    author = kind.author(obj) if obj is not None else None
    history = list(
        ModerationAction.objects.filter(target_kind=kind.key, target_id=target_id)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:50]
    )
    profile = ResidentProfile.objects.filter(user=author).first() if author else None
    return TargetFile(kind, target_id, obj, reports, history, author, profile)


def log_page(moderator: User, page_number: Any) -> Page[Any]:
    require_moderator(moderator)
    entries = ModerationAction.objects.select_related("target_user").order_by("-created_at", "-pk")
    return Paginator(entries, LOG_PAGE_SIZE).get_page(page_number)


def suspended_residents(moderator: User) -> QuerySet[ResidentProfile]:
    require_moderator(moderator)
    return (
        ResidentProfile.objects.filter(suspended_at__isnull=False)
        .select_related("user", "suspended_by")
        .order_by("-suspended_at")
    )
