"""What the sign-up tests share: a valid trial form for Chavenay (78152)."""

from __future__ import annotations

from onboarding.legal import PROCESSING_AGREEMENT, TERMS

TRIAL_FORM = {
    "signer_name": "Claire Martin",
    "signer_role": "maire",
    "email": "maire@chavenay.fr",
    "phone": "01 30 54 00 00",
    "slug": "chavenay",
    "accept_terms": "on",
    "accept_dpa": "on",
    # The versions the form shows, posted back with the ticked boxes.
    "terms_version": TERMS.current.id,
    "dpa_version": PROCESSING_AGREEMENT.current.id,
}
