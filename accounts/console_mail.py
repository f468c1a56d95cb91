"""Development email delivery: each message printed as a block a person reads and copies from.

Django's console backend prints the MIME source: quoted-printable French (`=C3=A9`) and links
cut by `=` soft line breaks, so a copied link 404s. This one prints the decoded headers and the
text body as they were written, every line whole.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

RULE = "-" * 72


def render(message: EmailMessage) -> str:
    """The message as a reader wants it: who, what, then the text as written."""
    lines = [f"From:    {message.from_email}", f"To:      {', '.join(message.to)}"]
    if message.cc:
        lines.append(f"Cc:      {', '.join(message.cc)}")
    if message.bcc:
        lines.append(f"Bcc:     {', '.join(message.bcc)}")
    if message.reply_to:
        lines.append(f"Reply-To: {', '.join(message.reply_to)}")
    lines.append(f"Subject: {message.subject}")
    others = [mimetype for _, mimetype in getattr(message, "alternatives", [])]
    others += [name or mimetype for name, _, mimetype in _attachments(message)]
    if others:
        lines.append(f"Also:    {', '.join(others)} (not shown)")
    return "\n".join([RULE, *lines, "", str(message.body).rstrip("\n"), RULE, ""])


def _attachments(message: EmailMessage) -> list[tuple[str | None, Any, str]]:
    found = []
    for attachment in message.attachments:
        if isinstance(attachment, tuple):
            name, content, mimetype = attachment
            found.append((name, content, mimetype or "application/octet-stream"))
        else:  # a MIME part attached as is
            found.append((attachment.get_filename(), None, attachment.get_content_type()))
    return found


class ReadableConsoleEmailBackend(BaseEmailBackend):
    def __init__(self, *args: Any, stream: TextIO | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        with self._lock:
            for message in email_messages:
                self.stream.write(render(message))
            self.stream.flush()
        return len(email_messages)
