"""What participation counts for the ops console: ideas, comments and consultation answers per
month, and who was active."""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from ops.figures import register_activity, register_counter
from participation.consultations.models import ConsultationResponse
from participation.ideas.models import Idea, IdeaComment


def register() -> None:
    register_counter(
        "ideas",
        _("Ideas"),
        lambda start, end: Idea.objects.filter(created_at__gte=start, created_at__lt=end).count(),
    )
    register_counter(
        "idea_comments",
        _("Comments on ideas"),
        lambda start, end: IdeaComment.objects.filter(
            created_at__gte=start, created_at__lt=end
        ).count(),
    )
    register_counter(
        "answers",
        _("Consultation answers"),
        lambda start, end: ConsultationResponse.objects.filter(
            submitted_at__gte=start, submitted_at__lt=end
        ).count(),
    )
    register_activity(
        "ideas",
        lambda since: Idea.objects.filter(created_at__gte=since).values_list(
            "author_id", flat=True
        ),
        lambda: Idea.objects.aggregate(at=Max("created_at"))["at"],
    )
    register_activity(
        "idea_comments",
        lambda since: IdeaComment.objects.filter(created_at__gte=since).values_list(
            "author_id", flat=True
        ),
        lambda: IdeaComment.objects.aggregate(at=Max("created_at"))["at"],
    )
    register_activity(
        "answers",
        # Paper answers and an anonymous audience have no respondent: they make nobody active,
        # but they are the town's latest activity all the same.
        lambda since: ConsultationResponse.objects.filter(submitted_at__gte=since).values_list(
            "respondent_id", flat=True
        ),
        lambda: ConsultationResponse.objects.aggregate(at=Max("submitted_at"))["at"],
    )
