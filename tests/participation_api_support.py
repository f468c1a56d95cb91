"""Shared by the participation API suites: a questionnaire's answer in the API's JSON."""

from __future__ import annotations

from typing import Any

from participation.consultations.models import ConsultationQuestion

API = "/api/v1/"


def consultation_url(key: str, tail: str = "") -> str:
    return f"{API}consultations/{key}/{tail}"


def idea_url(pk: int, tail: str = "") -> str:
    return f"{API}ideas/{pk}/{tail}"


def answers_json(q: dict[str, ConsultationQuestion], **overrides: Any) -> dict[str, Any]:
    """A complete, valid answer to tests.consultation_support.every_kind, as the API takes
    it; `overrides` by question name (None leaves the question out)."""
    values: dict[str, Any] = {
        "single": "À vélo",
        "multiple": ["Marché", "Café"],
        "ranking": {"Arbres": 2, "Bancs": 3, "Fontaine": 1},
        "scale": 8,
        "yes_no": "yes",
        "conditional": "6 et 9 ans",
        "number": 3,
        "date": "2026-11-20",
        "short_text": "Ombre",
        "long_text": "Plus d'arbres, merci.",
    }
    values.update(overrides)
    return {"answers": {str(q[name].pk): v for name, v in values.items() if v is not None}}
