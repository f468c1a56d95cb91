"""Our emails: plain text, never HTML-escaped, handed to Celery once the transaction commits."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from email.headerregistry import Address
from email.utils import parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

# The template engine of plain-text emails (settings.TEMPLATES): the same templates as the
# site's, without autoescaping, so "L'Haÿ-les-Roses" does not arrive as "L&#x27;Haÿ…".
TEXT_ENGINE = "text"


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """A plain-text email template (body or subject), rendered without HTML escaping."""
    return render_to_string(template_name, context, using=TEXT_ENGINE)


def render_subject(template_name: str, context: dict[str, Any]) -> str:
    """A subject template on one line: a header cannot hold line breaks."""
    return " ".join(render_text(template_name, context).split())


def from_email_named(name: str) -> str:
    """Our sending address under another name: a town's site sends as the town ("Chavenay
    <ne-pas-repondre@…>"), the address stays ours."""
    _our_name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return str(Address(display_name=name, addr_spec=address))


def serialize(message: EmailMessage) -> dict[str, Any]:
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": [
            [
                name,
                base64.b64encode(
                    content if isinstance(content, bytes) else content.encode()
                ).decode(),
                mimetype,
            ]
            for name, content, mimetype in message.attachments
            if isinstance(name, str)
        ],
    }


def deserialize(payload: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
        headers=payload["headers"],
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    for name, content, mimetype in payload["attachments"]:
        message.attach(name, base64.b64decode(content), mimetype)
    return message


def templated_message(
    template_prefix: str,
    context: dict[str, Any],
    to: list[str],
    *,
    reply_to: list[str] | None = None,
    subject_prefix: str = "",
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """The message of `<prefix>_subject.txt` and `<prefix>.txt`, rendered in French."""
    with translation.override("fr"):
        subject = subject_prefix + render_subject(f"{template_prefix}_subject.txt", context)
        body = render_text(f"{template_prefix}.txt", context)
    return EmailMessage(
        subject, body, from_email=from_email, to=to, reply_to=reply_to or [], headers=headers
    )


def send_templated(
    template_prefix: str,
    context: dict[str, Any],
    to: list[str],
    *,
    reply_to: list[str] | None = None,
    subject_prefix: str = "",
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Render `<prefix>_subject.txt` and `<prefix>.txt` in French and send (after commit)."""
    templated_message(
        template_prefix,
        context,
        to,
        reply_to=reply_to,
        subject_prefix=subject_prefix,
        from_email=from_email,
        headers=headers,
    ).send()


class CeleryEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from accounts.tasks import deliver_email

        for message in email_messages:
            payload = serialize(message)
            transaction.on_commit(partial(deliver_email.delay, payload))
        return len(email_messages)
