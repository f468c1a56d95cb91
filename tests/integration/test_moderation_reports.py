"""Residents report a person or content; moderators get at most one email an hour about it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from notifications.models import Preference
from tests.helpers import body
from tests.moderation_fixtures import make_note, moderator, person
from townsite.models import ResidentProfile
from townsite.moderation import reporting
from townsite.moderation.models import ModeratorAlert, Report

pytestmark = pytest.mark.django_db


def _person_url(user) -> str:
    return f"/signaler/personne/{user.pk}/"


def _reports(town, **filters) -> list[Report]:
    with schema_context(town.schema_name):
        return list(Report.objects.filter(**filters).order_by("pk"))


def _other_resident(town, name: str = "Gaston"):
    with schema_context(town.schema_name):
        return person(display_name=name)


# --- The report page -------------------------------------------------------------------------


def test_the_report_page_asks_why_in_french(client_for, town_a, resident_a) -> None:
    other = _other_resident(town_a)
    page = client_for(town_a, resident_a).get(_person_url(other))
    assert page.status_code == 200
    text = body(page)
    assert "Signaler une personne" in text
    assert "Vous signalez Gaston." in text
    for label in ("Harcèlement, insultes ou menaces", "Publicité, spam ou arnaque", "Autre raison"):
        assert label in text
    assert "appelez le 112" in text


def test_a_resident_reports_a_person(client_for, town_a, resident_a) -> None:
    other = _other_resident(town_a)
    response = client_for(town_a, resident_a).post(
        _person_url(other), {"reason": "harassment", "details": "Il m’insulte."}
    )
    assert response.status_code == 200
    assert "Merci, votre signalement est envoyé" in body(response)
    (made,) = _reports(town_a)
    assert (made.reporter_id, made.target_kind, made.target_id) == (
        resident_a.pk,
        "personne",
        str(other.pk),
    )
    assert made.target_author_id == other.pk
    assert made.excerpt == "Gaston"
    assert (made.reason, made.details, made.status) == ("harassment", "Il m’insulte.", "open")


def test_a_resident_reports_content(client_for, town_a, resident_a, note_kind) -> None:
    other = _other_resident(town_a)
    note = make_note(town_a, other, "Vends   des\nmédicaments")
    response = client_for(town_a, resident_a).post(f"/signaler/note/{note.pk}/", {"reason": "spam"})
    assert "Merci, votre signalement est envoyé" in body(response)
    (made,) = _reports(town_a)
    assert (made.target_kind, made.target_id, made.target_author_id) == (
        "note",
        str(note.pk),
        other.pk,
    )
    assert made.excerpt == "Vends des médicaments"  # on one line, as the queue shows it


def test_a_second_report_says_it_is_already_reported(client_for, town_a, resident_a) -> None:
    other = _other_resident(town_a)
    client = client_for(town_a, resident_a)
    client.post(_person_url(other), {"reason": "spam"})
    again = client.get(_person_url(other))
    assert "Vous avez déjà signalé ceci." in body(again)
    posted = client.post(_person_url(other), {"reason": "harassment"})
    assert "Vous avez déjà signalé ceci." in body(posted)
    assert len(_reports(town_a)) == 1


def test_the_service_refuses_a_second_open_report(town_a, resident_a) -> None:
    other = _other_resident(town_a)
    with schema_context(town_a.schema_name):
        reporting.report(resident_a, "personne", str(other.pk), reason="spam")
        with pytest.raises(reporting.AlreadyReported):
            reporting.report(resident_a, "personne", str(other.pk), reason="danger")
        assert Report.objects.count() == 1


def test_once_settled_the_same_person_can_report_again(town_a, resident_a) -> None:
    other = _other_resident(town_a)
    with schema_context(town_a.schema_name):
        first = reporting.report(resident_a, "personne", str(other.pk), reason="spam")
        Report.objects.filter(pk=first.pk).update(status="dismissed")
        reporting.report(resident_a, "personne", str(other.pk), reason="spam")
        assert Report.objects.filter(status="open").count() == 1


def test_another_reason_needs_a_few_words(client_for, town_a, resident_a) -> None:
    other = _other_resident(town_a)
    response = client_for(town_a, resident_a).post(
        _person_url(other), {"reason": "other", "details": "   "}
    )
    assert response.status_code == 400
    assert "Dites en quelques mots ce qui ne va pas." in body(response)
    assert 'value="other" required id="id_reason_5" checked' in body(response)  # kept
    assert _reports(town_a) == []


def test_no_reason_or_a_made_up_one_is_refused(client_for, town_a, resident_a) -> None:
    other = _other_resident(town_a)
    client = client_for(town_a, resident_a)
    for data in ({}, {"reason": "pas-une-raison", "details": "gardé"}):
        response = client.post(_person_url(other), data)
        assert response.status_code == 400
        assert "Choisissez une raison dans la liste." in body(response)
    assert "gardé</textarea>" in body(response)
    assert _reports(town_a) == []


def test_ten_thousand_characters_are_refused(client_for, town_a, resident_a) -> None:
    other = _other_resident(town_a)
    response = client_for(town_a, resident_a).post(
        _person_url(other), {"reason": "other", "details": "x" * 10_000}
    )
    assert response.status_code == 400
    assert "Écrivez moins de 2000 caractères" in body(response)
    assert _reports(town_a) == []


def test_nobody_reports_themselves_or_their_own_content(
    client_for, town_a, resident_a, note_kind
) -> None:
    client = client_for(town_a, resident_a)
    own = make_note(town_a, resident_a, "Ma propre note")
    assert client.get(_person_url(resident_a)).status_code == 404
    assert client.post(_person_url(resident_a), {"reason": "spam"}).status_code == 404
    assert client.post(f"/signaler/note/{own.pk}/", {"reason": "spam"}).status_code == 404
    assert _reports(town_a) == []


def test_unknown_kinds_ids_hidden_and_private_content_are_not_found(
    client_for, town_a, resident_a, note_kind
) -> None:
    other = _other_resident(town_a)
    hidden = make_note(town_a, other, "Déjà masquée", hidden_at=timezone.now())
    private = make_note(town_a, other, "Message privé de Gaston", private=True)
    client = client_for(town_a, resident_a)
    for path in (
        "/signaler/inconnu/1/",
        "/signaler/personne/999999/",
        "/signaler/personne/abc/",
        f"/signaler/note/{hidden.pk}/",
        f"/signaler/note/{private.pk}/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Message privé de Gaston" not in body(response)
    assert client.post(f"/signaler/note/{private.pk}/", {"reason": "spam"}).status_code == 404
    assert _reports(town_a) == []


def test_a_closed_account_cannot_be_reported(client_for, town_a, resident_a) -> None:
    other = _other_resident(town_a)
    with schema_context(town_a.schema_name):
        other.is_active = False
        other.save(update_fields=["is_active"])
    assert client_for(town_a, resident_a).get(_person_url(other)).status_code == 404


def test_guests_are_sent_to_log_in(client_for, town_a) -> None:
    other = _other_resident(town_a)
    response = client_for(town_a).post(_person_url(other), {"reason": "spam"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert _reports(town_a) == []


def test_a_suspended_resident_can_still_report(client_for, town_a, resident_a) -> None:
    other = _other_resident(town_a)
    with schema_context(town_a.schema_name):
        ResidentProfile.objects.create(user=resident_a, suspended_at=timezone.now())
    client_for(town_a, resident_a).post(_person_url(other), {"reason": "danger"})
    assert len(_reports(town_a)) == 1


# --- The moderators' email alert ---------------------------------------------------------------


def _alerts() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_moderators_are_emailed_after_the_report_commits(
    client_for, town_a, resident_a, moderator_a, admin_a, django_capture_on_commit_callbacks
) -> None:
    other = _other_resident(town_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(town_a, resident_a).post(_person_url(other), {"reason": "spam"})
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert _alerts() == sorted([moderator_a.email, admin_a.email])
    message = mail.outbox[0]
    assert message.subject == "[Villeneuve-les-Tests] Nouveau signalement à examiner"
    assert "1 signalement attend d’être examiné." in message.body
    assert "/administration/moderation/" in message.body
    assert "Gaston" not in message.body  # who is reported stays on the site


def test_at_most_one_alert_an_hour_per_moderator(
    town_a, moderator_a, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        people = [person(display_name=f"Habitant {n}") for n in range(4)]
        with django_capture_on_commit_callbacks(execute=True):
            reporting.report(people[0], "personne", str(people[3].pk), reason="spam")
            reporting.report(people[1], "personne", str(people[3].pk), reason="spam")
        assert _alerts() == [moderator_a.email]
        with (
            time_machine.travel(timezone.now() + timedelta(minutes=59), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reporting.report(people[2], "personne", str(people[3].pk), reason="spam")
        assert len(mail.outbox) == 1
        with (
            time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reporting.report(people[3], "personne", str(people[0].pk), reason="spam")
        assert _alerts() == [moderator_a.email, moderator_a.email]
        assert "4 signalements attendent d’être examinés." in mail.outbox[1].body
        assert ModeratorAlert.objects.get(moderator=moderator_a).last_sent_at is not None


def test_the_throttle_is_per_moderator(
    town_a, moderator_a, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        reporter, target = person(), person()
        with django_capture_on_commit_callbacks(execute=True):
            reporting.report(reporter, "personne", str(target.pk), reason="spam")
        newcomer = moderator()
        with django_capture_on_commit_callbacks(execute=True):
            reporting.report(target, "personne", str(reporter.pk), reason="spam")
    assert _alerts() == sorted([moderator_a.email, newcomer.email])


def test_a_moderator_who_chose_never_gets_no_alert(
    town_a, moderator_a, admin_a, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        Preference.objects.create(user=moderator_a, kind="moderation.new_report", frequency="never")
        reporter, target = person(), person()
        with django_capture_on_commit_callbacks(execute=True):
            reporting.report(reporter, "personne", str(target.pk), reason="spam")
    assert _alerts() == [admin_a.email]
