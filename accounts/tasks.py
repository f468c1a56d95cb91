"""Background work of the accounts app."""

from __future__ import annotations

import smtplib
from typing import Any

from celery import shared_task
from django.core.mail import mailers

from accounts.mail import deserialize


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def deliver_email(payload: dict[str, Any]) -> None:
    mailers["delivery"].send_messages([deserialize(payload)])
