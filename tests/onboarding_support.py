"""What the sign-up tests share: a valid trial form for Chavenay (78152), asking and confirming."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import mail
from django.test import Client

from onboarding.legal import PROCESSING_AGREEMENT, TERMS
from tenants.models import Collectivite

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


def confirmation_link(body: str) -> str:
    """The path of the confirmation link in an email's body."""
    found = re.search(r"https?://[^/\s]+(/essai/confirmer/\S+/)", body)
    assert found, body
    return found.group(1)


def ask_for_trial(capture: Any, code: str = "78152", **changes: str) -> Any:
    """Submit the trial form on the public site; the emails go out (on commit)."""
    with capture(execute=True):
        return Client(HTTP_HOST=settings.ROOT_DOMAIN).post(
            f"/essai/commune/{code}/", {**TRIAL_FORM, **changes}
        )


def open_site(capture: Any, **changes: str) -> Collectivite:
    """Ask for Chavenay's trial and confirm it: its site exists (the emails went out)."""
    mail.outbox.clear()
    response = ask_for_trial(capture, **changes)
    assert response.status_code == 302, response.content.decode()[:2000]
    link = confirmation_link(str(mail.outbox[-1].body))
    with capture(execute=True):
        confirmed = Client(HTTP_HOST=settings.ROOT_DOMAIN).post(link)
    assert confirmed.status_code == 302
    return Collectivite.objects.get(official_code="78152")
