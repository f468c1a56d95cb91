"""Placette's legal texts as versioned documents: each version is a template with an id and a date.

A published version is never edited: a change is a new version, added last, and the signers of
the older one keep the text they accepted (`/documents/<slug>/<version>/`). The texts are in
French only: the French text is the one that binds, a translation would be another document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Version:
    id: str
    published: date
    template: str


@dataclass(frozen=True)
class Document:
    key: str  # what SignupRequest and LegalAcceptance record
    slug: str  # its address
    title: Promise
    versions: tuple[Version, ...]  # oldest first

    @property
    def current(self) -> Version:
        return self.versions[-1]

    def version(self, version_id: str) -> Version | None:
        return next((v for v in self.versions if v.id == version_id), None)


TERMS = Document(
    key="terms",
    slug="conditions-generales",
    title=_("Terms of service"),
    versions=(Version("1", date(2026, 12, 1), "onboarding/legal/terms_v1.html"),),
)
PROCESSING_AGREEMENT = Document(
    key="dpa",
    slug="accord-de-traitement",
    title=_("Data processing agreement"),
    versions=(Version("1", date(2026, 12, 1), "onboarding/legal/dpa_v1.html"),),
)
PRIVACY = Document(
    key="privacy",
    slug="confidentialite",
    title=_("Privacy policy"),
    versions=(Version("1", date(2026, 12, 1), "onboarding/legal/privacy_v1.html"),),
)
DOCUMENTS = {document.slug: document for document in (TERMS, PROCESSING_AGREEMENT, PRIVACY)}
BY_KEY = {document.key: document for document in DOCUMENTS.values()}
# What a collectivité accepts when it signs up.
SIGNED_AT_SIGNUP = (TERMS, PROCESSING_AGREEMENT)


def are_current(*, terms: str, dpa: str) -> bool:
    """Whether the versions a signer ticked are the ones in force (not changed meanwhile)."""
    return (terms, dpa) == (TERMS.current.id, PROCESSING_AGREEMENT.current.id)


@dataclass(frozen=True)
class Publisher:
    """Who runs Placette: named in the legal notice and in every text (settings LEGAL_*)."""

    name: str
    address: str
    registration: str
    director: str
    host: str
    contact_email: str
    privacy_email: str


def publisher() -> Publisher:
    return Publisher(
        name=settings.LEGAL_ENTITY_NAME,
        address=settings.LEGAL_ENTITY_ADDRESS,
        registration=settings.LEGAL_ENTITY_REGISTRATION,
        director=settings.LEGAL_PUBLICATION_DIRECTOR,
        host=settings.LEGAL_HOST,
        contact_email=settings.LEGAL_CONTACT_EMAIL,
        privacy_email=settings.LEGAL_PRIVACY_EMAIL,
    )


def document_context() -> dict[str, object]:
    """What every legal template reads."""
    return {
        "publisher": publisher(),
        "terms": TERMS,
        "processing_agreement": PROCESSING_AGREEMENT,
        "privacy": PRIVACY,
        "trial_days": settings.BILLING_TRIAL_DAYS,
    }
