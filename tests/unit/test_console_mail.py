"""The development email output: decoded headers and text, every link whole."""

from __future__ import annotations

import io

from django.core.mail import EmailMultiAlternatives

from accounts.console_mail import ReadableConsoleEmailBackend, render

LINK = "http://town-a.localhost:8000/comptes/confirmer/MTA:1tZx3c:" + "k" * 90 + "/"


def _message() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject="Bienvenue à L'Haÿ-les-Roses <mairie>",
        body=f"Bonjour,\n\nConfirmez votre adresse : {LINK}\n\nÀ bientôt\n",
        from_email="Placette <ne-pas-repondre@localhost>",
        to=["camille@town-a.example"],
        reply_to=["mairie@town-a.example"],
    )
    message.attach_alternative("<p>Bonjour</p>", "text/html")
    message.attach("fiche.pdf", b"%PDF-1.4", "application/pdf")
    return message


def test_a_message_reads_as_it_was_written() -> None:
    lines = render(_message()).splitlines()

    assert lines[1:6] == [
        "From:    Placette <ne-pas-repondre@localhost>",
        "To:      camille@town-a.example",
        "Reply-To: mairie@town-a.example",
        "Subject: Bienvenue à L'Haÿ-les-Roses <mairie>",
        "Also:    text/html, fiche.pdf (not shown)",
    ]
    assert f"Confirmez votre adresse : {LINK}" in lines
    assert "À bientôt" in lines
    assert not any("=C3" in line or "&#x27;" in line for line in lines)


def test_the_backend_writes_each_message_and_counts_them() -> None:
    stream = io.StringIO()
    backend = ReadableConsoleEmailBackend(stream=stream)

    assert backend.send_messages([_message(), _message()]) == 2
    assert stream.getvalue() == render(_message()) * 2
    assert backend.send_messages([]) == 0
