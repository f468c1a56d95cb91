"""allauth's events that concern residents, each handed to a service."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from townsite.residents import services


@receiver(email_confirmed, dispatch_uid="townsite.residents.replace_placeholder_email")
def replace_placeholder_email(sender: Any, email_address: EmailAddress, **kwargs: Any) -> None:
    services.replace_placeholder_email(email_address)
