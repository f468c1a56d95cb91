"""Moderation's records: reports, the moderation log, blocks, alert throttling, hideable content."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ModeratedQuerySet(models.QuerySet[Any]):
    def visible(self) -> ModeratedQuerySet:
        """What residents may see: nothing a moderator (or a suspension) has hidden."""
        return self.filter(hidden_at__isnull=True)

    def hidden(self) -> ModeratedQuerySet:
        return self.filter(hidden_at__isnull=False)


class Moderated(models.Model):
    """Content moderators can hide: inherit it, then register the model in
    townsite.moderation.registry. Read lists through `Model.objects.visible()`."""

    hidden_at = models.DateTimeField(_("hidden on"), null=True, blank=True, db_index=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("why it is hidden"), max_length=500, blank=True)
    # Hidden because its author was suspended (not for itself): lifting the suspension
    # brings back exactly these, never what a moderator hid on its own account.
    hidden_with_suspension = models.BooleanField(default=False)

    objects = ModeratedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Reason(models.TextChoices):
    INAPPROPRIATE = "inappropriate", _("Inappropriate or shocking")
    SPAM = "spam", _("Advertising, spam or scam")
    HARASSMENT = "harassment", _("Harassment, insults or threats")
    DANGER = "danger", _("Puts someone in danger")
    PERSONAL_DATA = "personal_data", _("Shows someone's personal information")
    OTHER = "other", _("Another reason")


class Report(models.Model):
    """A resident's report of a piece of content or of a person, until a moderator settles it."""

    class Status(models.TextChoices):
        OPEN = "open", _("To examine")
        DISMISSED = "dismissed", _("Dismissed")
        ACTIONED = "actioned", _("Acted upon")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="reports_made"
    )
    # The registry's key of the kind ("personne", "annonce"...) and the object's primary key.
    target_kind = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64)
    # As reported: the content may be edited or deleted afterwards.
    target_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="reports_received",
    )
    excerpt = models.CharField(max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "target_kind", "target_id"],
                condition=Q(status="open"),
                name="moderation_one_open_report_per_reporter",
            ),
        ]
        indexes = [
            models.Index(fields=["target_kind", "target_id", "status"], name="moderation_target"),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} on {self.target_kind}:{self.target_id}"


class ModerationAction(models.Model):
    """One line of the moderation log: who did what to what, when, and why."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("Content hidden")
        RESTORE = "restore", _("Content shown again")
        DISMISS = "dismiss", _("Reports dismissed")
        WARN = "warn", _("Warning sent")
        SUSPEND = "suspend", _("Resident suspended")
        LIFT = "lift", _("Suspension lifted")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the account goes: who used a moderator's rights is what this log is for.
    actor_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target_kind = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=300, blank=True)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    reports = models.ManyToManyField(Report, blank=True, related_name="actions")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_kind}:{self.target_id}"


class Block(models.Model):
    """A resident no longer wants to hear from another one."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="moderation_block_once"),
            models.CheckConstraint(
                condition=~Q(blocker=models.F("blocked")), name="moderation_block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class ModeratorAlert(models.Model):
    """When a moderator was last emailed about new reports: at most one email an hour, even
    with several web processes (so in the database, not only in a cache)."""

    moderator = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Alert of {self.moderator_id}"
