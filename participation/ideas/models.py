"""The ideas module's models: categories, the town's settings, ideas, supports, followers,
comments and the town's official answers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from townsite.moderation.models import Moderated
from townsite.search import title_and_description_document

__all__ = [
    "Idea",
    "IdeaAnswer",
    "IdeaCategory",
    "IdeaComment",
    "IdeaFollow",
    "IdeaSettings",
    "IdeaSupport",
]

TITLE_MAX = 120
TEXT_MAX = 5000
COMMENT_MAX = 2000
ANSWER_MAX = 5000
DEFAULT_THRESHOLD = 50


class IdeaCategory(models.Model):
    """What an idea is about. Seeded in every town, then the town's to rename, order, switch off."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    enabled = models.BooleanField(_("shown"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("idea category")
        verbose_name_plural = _("idea categories")

    def __str__(self) -> str:
        return self.name


class IdeaSettings(models.Model):
    """The town's choices for its idea box (one row per schema)."""

    # The town promises to study an idea once this many residents support it.
    support_threshold = models.PositiveIntegerField(
        _("supports after which the town studies an idea"), default=DEFAULT_THRESHOLD
    )

    def __str__(self) -> str:
        return "IdeaSettings"

    @classmethod
    def load(cls) -> IdeaSettings:
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class Idea(Moderated):
    """A resident's proposal to the town, supported and debated, until the town answers it."""

    class Status(models.TextChoices):
        # "idea status": French agrees them with « idée » (feminine), unlike other statuses.
        SUBMITTED = "submitted", pgettext_lazy("idea status", "Submitted")
        UNDER_STUDY = "under_study", pgettext_lazy("idea status", "Under study")
        ACCEPTED = "accepted", pgettext_lazy("idea status", "Accepted")
        NOT_RETAINED = "not_retained", pgettext_lazy("idea status", "Not retained")
        IN_PROGRESS = "in_progress", pgettext_lazy("idea status", "In progress")
        DONE = "done", pgettext_lazy("idea status", "Done")
        MERGED = "merged", pgettext_lazy("idea status", "Merged into another idea")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), max_length=TEXT_MAX)
    category = models.ForeignKey(
        IdeaCategory, on_delete=models.PROTECT, related_name="ideas", verbose_name=_("category")
    )
    # A quartier, or on an intercommunalité's site a member commune (townsite.Neighbourhood).
    neighbourhood = models.ForeignKey(
        "townsite.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("neighbourhood"),
    )
    # Re-encoded without metadata, served only through participation.ideas.views.image.
    image = models.ImageField(
        upload_to="participation/ideas/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
    )
    image_width = models.PositiveIntegerField(default=0)
    image_height = models.PositiveIntegerField(default=0)
    image_description = models.CharField(_("description of the image"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    # Kept by the services (one support, one comment at a time), so that the list sorts and
    # shows them without counting rows.
    support_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # Indexed by idea_newest (below), which serves its ranges too.
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )

    search_document = title_and_description_document()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            GinIndex(fields=["search_document"], name="idea_search", fastupdate=False),
            models.Index(fields=["-support_count", "-id"], name="idea_most_supported"),
            models.Index(fields=["-comment_count", "-id"], name="idea_most_discussed"),
            # As the list sorts it (participation.ideas.queries.SORTS): ideas never answered
            # last. An index on "-answered_at" puts them first, and PostgreSQL sorts instead.
            models.Index(
                F("answered_at").desc(nulls_last=True),
                F("id").desc(),
                name="idea_answered_nulls_last",
            ),
            models.Index(fields=["-created_at", "-id"], name="idea_newest"),
            # What the list counts for its pages: the ideas it shows, read from the index only.
            models.Index(
                fields=["id"],
                name="idea_listed",
                condition=Q(hidden_at__isnull=True) & ~Q(status="merged"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_merged(self) -> bool:
        return self.status == self.Status.MERGED

    @property
    def days_waiting(self) -> int:
        """Days since it was proposed, by the town's calendar (what an idea still waiting has
        waited)."""
        return (timezone.localdate() - timezone.localdate(self.created_at)).days

    @property
    def is_open(self) -> bool:
        """Residents may still support and comment on it."""
        return self.hidden_at is None and self.status not in (
            self.Status.MERGED,
            self.Status.NOT_RETAINED,
            self.Status.DONE,
        )


class IdeaSupport(models.Model):
    """One resident supports one idea, once (withdrawing deletes the row)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_supports"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="idea_support_once"),
        ]

    def __str__(self) -> str:
        return f"Support of {self.user_id} for {self.idea_id}"


class IdeaFollow(models.Model):
    """A resident told of an idea's status changes and official answers."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="idea_follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.idea_id}"


class IdeaComment(Moderated):
    """A comment on an idea, or a reply (two levels deep at most: depth 0, 1 or 2)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(_("comment"), max_length=COMMENT_MAX)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Deleted by its author: the text goes, the place in the thread stays (for its replies).
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["idea", "created_at"], name="idea_comment_thread")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on idea {self.idea_id}"


class IdeaAnswer(models.Model):
    """The town's official answer: a status change with its public text, newest on top."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous_status = models.CharField(max_length=20, choices=Idea.Status.choices)
    status = models.CharField(max_length=20, choices=Idea.Status.choices)
    text = models.TextField(_("official answer"), max_length=ANSWER_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Answer {self.pk} on idea {self.idea_id}"
