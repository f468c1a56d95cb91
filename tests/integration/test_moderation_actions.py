"""Moderators' actions: each locks, changes only what needs it, logs, audits and tells people."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from notifications.models import Notification
from tenants.models import AuditEntry
from tests.helpers import body
from tests.moderation_fixtures import Note, make_note, person
from townsite.models import ResidentProfile
from townsite.moderation import access, registry, reporting, services
from townsite.moderation.errors import ContributionRefused, ModerationError
from townsite.moderation.models import ModerationAction, Report
from townsite.residents.services import deleted_account_label

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(town_a):
    with schema_context(town_a.schema_name):
        return {
            "author": person(display_name="Auteur"),
            "first": person(display_name="Première"),
            "second": person(display_name="Seconde"),
        }


@pytest.fixture
def reported_note(town_a, people, note_kind) -> Note:
    note = make_note(town_a, people["author"], "Achetez mes pilules")
    with schema_context(town_a.schema_name):
        reporting.report(people["first"], "note", str(note.pk), reason="spam")
        reporting.report(people["second"], "note", str(note.pk), reason="inappropriate")
    return note


def _audit(town, code: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(collectivite=town, action=code))


def _notes_of(user: User, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


# --- Hide and restore ------------------------------------------------------------------------


def test_hiding_hides_settles_logs_audits_and_tells_the_reporters(
    town_a, moderator_a, people, reported_note
) -> None:
    with schema_context(town_a.schema_name):
        entry = services.hide_content(moderator_a, "note", str(reported_note.pk), reason="Spam")
        note = Note.objects.get(pk=reported_note.pk)
        assert note.hidden_at is not None and note.hidden_by_id == moderator_a.pk
        assert (note.hidden_reason, note.hidden_with_suspension) == ("Spam", False)
        assert list(Note.objects.visible()) == []
        assert set(Report.objects.values_list("status", flat=True)) == {"actioned"}
        assert entry is not None
        assert (entry.kind, entry.actor_id, entry.target_user_id, entry.reason) == (
            "hide",
            moderator_a.pk,
            people["author"].pk,
            "Spam",
        )
        assert entry.reports.count() == 2
        for reporter in (people["first"], people["second"]):
            (told,) = _notes_of(reporter, "moderation.outcome")
            assert told.title == "Votre signalement a été examiné"
            assert "ont masqué" in told.body
        assert _notes_of(people["author"], "moderation.outcome") == []
    (audited,) = _audit(town_a, "moderator.hide")
    assert audited.actor_id == moderator_a.pk and audited.reason == "Spam"
    assert audited.target_id == str(reported_note.pk)


def test_hiding_twice_changes_nothing_the_second_time(town_a, moderator_a, reported_note) -> None:
    with schema_context(town_a.schema_name):
        services.hide_content(moderator_a, "note", str(reported_note.pk), reason="Spam")
        hidden_at = Note.objects.get(pk=reported_note.pk).hidden_at
        assert services.hide_content(moderator_a, "note", str(reported_note.pk), reason="X") is None
        assert Note.objects.get(pk=reported_note.pk).hidden_at == hidden_at
        assert ModerationAction.objects.count() == 1
    assert len(_audit(town_a, "moderator.hide")) == 1


def test_restoring_shows_it_again(town_a, moderator_a, reported_note) -> None:
    with schema_context(town_a.schema_name):
        services.hide_content(moderator_a, "note", str(reported_note.pk), reason="Spam")
        entry = services.restore_content(
            moderator_a, "note", str(reported_note.pk), reason="Erreur de ma part"
        )
        assert entry is not None and entry.kind == "restore"
        assert list(Note.objects.visible()) == [reported_note]
        assert Note.objects.get(pk=reported_note.pk).hidden_reason == ""
        assert (
            services.restore_content(moderator_a, "note", str(reported_note.pk), reason="X") is None
        )
    assert len(_audit(town_a, "moderator.restore")) == 1


def test_a_person_cannot_be_hidden(town_a, moderator_a, people) -> None:
    with (
        schema_context(town_a.schema_name),
        pytest.raises(ModerationError, match="Ceci ne peut pas être masqué."),
    ):
        services.hide_content(moderator_a, "personne", str(people["author"].pk), reason="X")


def test_a_reason_is_required_and_nothing_changes_without_one(
    town_a, moderator_a, reported_note
) -> None:
    with schema_context(town_a.schema_name):
        with pytest.raises(ModerationError, match="Écrivez le motif"):
            services.hide_content(moderator_a, "note", str(reported_note.pk), reason="  ")
        assert Note.objects.get(pk=reported_note.pk).hidden_at is None
        assert Report.objects.filter(status="open").count() == 2
        assert ModerationAction.objects.count() == 0


# --- Dismiss and warn ------------------------------------------------------------------------


def test_dismissing_closes_the_reports_and_tells_the_reporters(
    town_a, moderator_a, people, reported_note
) -> None:
    with schema_context(town_a.schema_name):
        entry = services.dismiss_reports(moderator_a, "note", str(reported_note.pk))
        assert entry is not None and entry.kind == "dismiss"
        assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}
        assert Note.objects.get(pk=reported_note.pk).hidden_at is None
        (told,) = _notes_of(people["first"], "moderation.outcome")
        assert "rien trouvé de contraire à la charte" in told.body
        assert services.dismiss_reports(moderator_a, "note", str(reported_note.pk)) is None
    assert len(_audit(town_a, "moderator.dismiss")) == 1


def test_warning_tells_the_author_in_the_site_and_by_email_after_commit(
    town_a, moderator_a, people, reported_note, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.warn_author(
                moderator_a, "note", str(reported_note.pk), message="Pas de publicité ici."
            )
        assert mail.outbox == []
        for callback in callbacks:
            callback()
        (warning,) = _notes_of(people["author"], "moderation.warning")
        assert warning.title == "Un avertissement des modérateurs"
        assert warning.body == "Pas de publicité ici."
        assert warning.emailed_at is not None  # so no digest sends it again
        assert set(Report.objects.values_list("status", flat=True)) == {"actioned"}
        assert len(_notes_of(people["first"], "moderation.outcome")) == 1
    (message,) = [m for m in mail.outbox if people["author"].email in m.to]
    assert message.subject == "[Villeneuve-les-Tests] Un avertissement des modérateurs"
    assert "Pas de publicité ici." in message.body
    assert "Bonjour Auteur," in message.body
    assert len(_audit(town_a, "moderator.warn")) == 1


def test_a_moderator_does_not_handle_what_concerns_them(
    town_a, moderator_a, admin_a, people
) -> None:
    with schema_context(town_a.schema_name):
        reporting.report(people["first"], "personne", str(moderator_a.pk), reason="harassment")
        with pytest.raises(ModerationError, match="Un autre modérateur"):
            services.dismiss_reports(moderator_a, "personne", str(moderator_a.pk))
        assert Report.objects.get().status == "open"
        assert services.dismiss_reports(admin_a, "personne", str(moderator_a.pk)) is not None


def test_someone_who_lost_the_role_can_no_longer_act(town_a, moderator_a, reported_note) -> None:
    with schema_context(town_a.schema_name):
        User.objects.filter(pk=moderator_a.pk).update(role=User.Role.RESIDENT)
        with pytest.raises(PermissionDenied):
            services.hide_content(moderator_a, "note", str(reported_note.pk), reason="Spam")
        assert Note.objects.get(pk=reported_note.pk).hidden_at is None


# --- Suspend and lift ------------------------------------------------------------------------


def test_suspending_hides_their_content_and_stops_them_posting(
    town_a, moderator_a, people, note_kind, django_capture_on_commit_callbacks
) -> None:
    author = people["author"]
    visible = make_note(town_a, author, "Visible")
    already = make_note(town_a, author, "Masquée avant", hidden_at=timezone.now())
    someone_elses = make_note(town_a, people["first"], "D’une autre")
    with schema_context(town_a.schema_name):
        reporting.report(people["first"], "personne", str(author.pk), reason="harassment")
        assert access.may_contribute(author)
        with django_capture_on_commit_callbacks(execute=True):
            entry = services.suspend_resident(
                moderator_a, "personne", str(author.pk), reason="Insultes répétées"
            )
        assert entry is not None and entry.kind == "suspend"
        profile = ResidentProfile.objects.get(user=author)
        assert profile.suspended_at is not None
        assert (profile.suspended_by_id, profile.suspension_reason) == (
            moderator_a.pk,
            "Insultes répétées",
        )
        assert Note.objects.get(pk=visible.pk).hidden_with_suspension is True
        assert Note.objects.get(pk=already.pk).hidden_with_suspension is False
        assert list(Note.objects.visible()) == [someone_elses]
        assert not access.may_contribute(author)
        with pytest.raises(ContributionRefused, match="Votre compte est suspendu"):
            access.ensure_may_contribute(author)
        (told,) = _notes_of(author, "moderation.warning")
        assert told.title == "Votre compte est suspendu"
        assert Report.objects.get().status == "actioned"
        assert (
            services.suspend_resident(moderator_a, "personne", str(author.pk), reason="Encore")
            is None
        )
    (message,) = [m for m in mail.outbox if author.email in m.to]
    assert "Insultes répétées" in message.body
    assert "télécharger vos données" in message.body
    assert len(_audit(town_a, "moderator.suspend")) == 1


def test_suspending_from_a_content_report_suspends_its_author(
    town_a, moderator_a, people, reported_note
) -> None:
    with schema_context(town_a.schema_name):
        services.suspend_resident(moderator_a, "note", str(reported_note.pk), reason="Arnaque")
        assert not access.may_contribute(people["author"])
        assert access.may_contribute(people["first"])
        assert Note.objects.get(pk=reported_note.pk).hidden_at is not None


def test_lifting_brings_back_only_what_the_suspension_hid(
    town_a, moderator_a, people, note_kind
) -> None:
    author = people["author"]
    visible = make_note(town_a, author, "Visible")
    already = make_note(town_a, author, "Masquée avant", hidden_at=timezone.now())
    with schema_context(town_a.schema_name):
        services.suspend_resident(moderator_a, "personne", str(author.pk), reason="Insultes")
        entry = services.lift_suspension(moderator_a, author.pk, reason="Excuses présentées")
        assert entry is not None and entry.kind == "lift"
        assert access.may_contribute(author)
        assert list(Note.objects.visible()) == [visible]
        assert Note.objects.get(pk=already.pk).hidden_at is not None
        titles = [n.title for n in _notes_of(author, "moderation.warning")]
        assert "Votre compte n’est plus suspendu" in titles
        assert services.lift_suspension(moderator_a, author.pk, reason="Encore") is None
    assert len(_audit(town_a, "moderator.lift")) == 1


def test_the_team_cannot_be_suspended(town_a, moderator_a, admin_a) -> None:
    with schema_context(town_a.schema_name):
        with pytest.raises(ModerationError, match="ne peut pas être suspendu"):
            services.suspend_resident(admin_a, "personne", str(moderator_a.pk), reason="X")
        assert not ResidentProfile.objects.filter(suspended_at__isnull=False).exists()


def test_a_suspended_resident_still_reads_exports_and_can_delete(
    client_for, town_a, moderator_a, resident_a
) -> None:
    with schema_context(town_a.schema_name):
        services.suspend_resident(moderator_a, "personne", str(resident_a.pk), reason="Spam")
    client = client_for(town_a, resident_a)
    for path in ("/", "/mon-compte/", "/mon-compte/donnees/", "/mon-compte/supprimer/"):
        assert client.get(path).status_code == 200, path
    export = client.get("/mon-compte/donnees/").json()
    assert export["moderation"]["suspension_reason"] == "Spam"


def test_a_suspended_resident_sees_why_on_their_account(
    client_for, town_a, moderator_a, resident_a
) -> None:
    with schema_context(town_a.schema_name):
        services.suspend_resident(moderator_a, "personne", str(resident_a.pk), reason="Spam")
    page = body(client_for(town_a, resident_a).get("/mon-compte/"))
    assert "Votre compte est suspendu" in page
    assert "vous ne pouvez pas publier ni écrire de messages" in page


def test_a_deleted_account_is_no_longer_named_in_moderation(
    client_for, town_a, moderator_a, people, reported_note
) -> None:
    author = people["author"]
    with schema_context(town_a.schema_name):
        reporting.report(people["first"], "personne", str(author.pk), reason="spam")
        services.warn_author(moderator_a, "personne", str(author.pk), message="Attention.")
        services.hide_content(moderator_a, "note", str(reported_note.pk), reason="Spam")
    client_for(town_a, author).post("/mon-compte/supprimer/", {"password": TEST_PASSWORD})
    with schema_context(town_a.schema_name):
        assert not User.objects.filter(pk=author.pk).exists()
        labels = set(ModerationAction.objects.values_list("target_label", flat=True))
        gone = deleted_account_label(author.pk)
        assert gone.startswith("compte supprimé")
        assert labels == {gone}
        excerpts = set(Report.objects.values_list("excerpt", flat=True))
        assert excerpts == {gone}
        assert ModerationAction.objects.filter(actor=moderator_a).count() == 2


def test_the_module_hooks_run_when_hiding_and_restoring(
    town_a, moderator_a, reported_note, note_kind
) -> None:
    calls: list[tuple[str, int, bool]] = []
    registry.register(
        Note,
        key="note",
        label="note",
        author=note_kind.author,
        excerpt=note_kind.excerpt,
        url=note_kind.url,
        authored_by=note_kind.authored_by,
        hide=lambda note: calls.append(("hide", note.pk, note.hidden_at is not None)),
        restore=lambda note: calls.append(("restore", note.pk, note.hidden_at is not None)),
    )
    with schema_context(town_a.schema_name):
        services.hide_content(moderator_a, "note", str(reported_note.pk), reason="Spam")
        services.restore_content(moderator_a, "note", str(reported_note.pk), reason="Erreur")
    assert calls == [("hide", reported_note.pk, True), ("restore", reported_note.pk, False)]
