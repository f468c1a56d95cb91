"""A resident's consultation answers in their data export (GDPR art. 15 and 20).

When they delete their account, their answers stay, no longer linked to anyone
(`respondent` is set to null), so that the results the town publishes keep their counts;
their unfinished drafts go with the account.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from participation.consultations.answering import readable_answers
from participation.consultations.models import ConsultationDraft, ConsultationResponse
from townsite.residents.export import register_export_section


def answers_section(user: User) -> list[dict[str, Any]]:
    rows = ConsultationResponse.objects.filter(respondent=user).select_related("consultation")
    return [
        {
            "consultation": row.consultation.title,
            "answered_at": row.submitted_at,
            "changed_at": row.updated_at,
            "answers": [
                {"question": question, "answer": answer}
                for question, answer in readable_answers(row.consultation, row.answers)
            ],
        }
        for row in rows.order_by("submitted_at")
    ]


def drafts_section(user: User) -> list[dict[str, Any]]:
    rows = ConsultationDraft.objects.filter(respondent=user).select_related("consultation")
    return [
        {"consultation": row.consultation.title, "saved_at": row.saved_at, "typed": row.data}
        for row in rows.order_by("saved_at")
    ]


def connect() -> None:
    register_export_section("consultation_answers", answers_section)
    register_export_section("consultation_drafts", drafts_section)
