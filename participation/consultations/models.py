"""The consultations module's models: a consultation, its files, its questionnaire, its answers."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Consultation",
    "ConsultationAttachment",
    "ConsultationSection",
    "ConsultationQuestion",
    "ConsultationResponse",
    "ConsultationDraft",
    "ConsultationTextReview",
]


def new_key() -> str:
    """The consultation's address: not guessable, so "anyone with the link" means just that."""
    return secrets.token_urlsafe(12)


class Consultation(models.Model):
    class Audience(models.TextChoices):
        VERIFIED = "verified", _("Residents the town has verified")
        RESIDENTS = "residents", _("All residents with an account")
        LINK = "link", _("Anyone with the link, without an account")

    key = models.CharField(max_length=24, unique=True, default=new_key, editable=False)
    title = models.CharField(_("title"), max_length=200)
    # Already sanitised by participation.consultations.richtext when saved: shown as is.
    context_html = models.TextField(_("context"), blank=True)
    opens_at = models.DateTimeField(_("opens on"))
    closes_at = models.DateTimeField(_("closes on"))
    audience = models.CharField(
        _("who may answer"), max_length=10, choices=Audience.choices, default=Audience.RESIDENTS
    )
    # An intercommunalité may ask only some member communes (empty: the whole territory).
    communes = models.ManyToManyField(
        "townsite.Neighbourhood", blank=True, related_name="consultations"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # When the audience was told it is open (at opening, not at publication if it opens later).
    opening_notice_sent_at = models.DateTimeField(null=True, blank=True)
    # After closing, if the town chooses: the results, then its conclusion ("what we will do"),
    # sanitised like the context and told to every participant.
    results_published_at = models.DateTimeField(null=True, blank=True)
    conclusion_html = models.TextField(_("conclusion"), blank=True)
    conclusion_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="consultation_closes_after"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def phase(self, now: datetime.datetime | None = None) -> str:
        """ "upcoming", "open" or "closed" (a draft is "upcoming" to its editors)."""
        now = now or timezone.now()
        if now < self.opens_at:
            return "upcoming"
        if now >= self.closes_at:
            return "closed"
        return "open"

    @property
    def is_open(self) -> bool:
        return self.is_published and self.phase() == "open"


class ConsultationAttachment(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="attachments"
    )
    # In the town's own storage (django-tenants' storage puts each schema in its folder),
    # under a random name; served only by views.attachment, never from a public media URL.
    file = models.FileField(upload_to="consultations/")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.name


class ConsultationSection(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="sections"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class ConsultationQuestion(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        RANKING = "ranking", _("Ranking")
        SCALE = "scale", _("Scale")
        YES_NO = "yes_no", _("Yes or no")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(
        ConsultationSection, on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(_("type of question"), max_length=12, choices=Kind.choices)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    position = models.PositiveIntegerField(default=0)
    # Single, multiple choice and ranking: the options, in order.
    choices = models.JSONField(default=list, blank=True)
    allow_other = models.BooleanField(_("offer “other, please specify”"), default=False)
    min_choices = models.PositiveSmallIntegerField(_("at least"), null=True, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("at most"), null=True, blank=True)
    # Scale: 1 to 5 or 0 to 10, with a word at each end.
    scale_max = models.PositiveSmallIntegerField(default=5)
    scale_min_label = models.CharField(_("word for the lowest value"), max_length=60, blank=True)
    scale_max_label = models.CharField(_("word for the highest value"), max_length=60, blank=True)
    # Number: bounds.
    number_min = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    number_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # Shown only when an earlier question's answer is (or, multiple choice, includes) this value.
    show_if_question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="dependants"
    )
    show_if_value = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["section__position", "section_id", "position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"


class ConsultationResponse(models.Model):
    """One person's answer (a resident's account, one browser for an anonymous audience, or a
    paper form typed in by staff at the town hall)."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("On paper")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation_responses",
    )
    # Anonymous audience: the hash of the browser's signed cookie (accounts.tokens), else "".
    browser_key = models.CharField(max_length=64, blank=True)
    # Commune of the respondent when they answered, for results by commune (next session).
    neighbourhood = models.ForeignKey(
        "townsite.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {"<question id>": value}: text, list of options, ranked list, number as text, ISO date.
    answers = models.JSONField(default=dict)
    channel = models.CharField(max_length=6, choices=Channel.choices, default=Channel.ONLINE)
    # Paper answers: the staff member who typed it in (a paper answer has no respondent).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "respondent"],
                condition=Q(respondent__isnull=False),
                name="consultation_one_answer_per_resident",
            ),
            models.UniqueConstraint(
                fields=["consultation", "browser_key"],
                condition=~Q(browser_key=""),
                name="consultation_one_answer_per_browser",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}/{self.pk}"


class ConsultationDraft(models.Model):
    """An answer in progress, as typed (the form's raw values), kept until it is sent."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="drafts")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consultation_drafts",
    )
    browser_key = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "respondent"],
                condition=Q(respondent__isnull=False),
                name="consultation_one_draft_per_resident",
            ),
            models.UniqueConstraint(
                fields=["consultation", "browser_key"],
                condition=~Q(browser_key=""),
                name="consultation_one_draft_per_browser",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}/{self.pk}"


class ConsultationTextReview(models.Model):
    """Staff's decision on one free-text answer: published with the results, or withheld.

    The text reviewed is kept: if the resident changes their answer afterwards, the new text is
    not covered by the decision (it is published only once reviewed again).
    """

    class Decision(models.TextChoices):
        PUBLISHED = "published", _("Published")
        WITHHELD = "withheld", _("Withheld")

    response = models.ForeignKey(
        ConsultationResponse, on_delete=models.CASCADE, related_name="text_reviews"
    )
    question = models.ForeignKey(
        ConsultationQuestion, on_delete=models.CASCADE, related_name="text_reviews"
    )
    text = models.TextField()
    decision = models.CharField(max_length=9, choices=Decision.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="consultation_one_review_per_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}: {self.decision}"
