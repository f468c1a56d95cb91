"""The moderators' pages: the queue, one target's file and decision, the log, suspensions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.helpers import body
from tests.moderation_fixtures import Note, make_note, person
from townsite.models import ResidentProfile
from townsite.moderation import queries, reporting, services
from townsite.moderation.models import ModerationAction, Report

pytestmark = pytest.mark.django_db
QUEUE = "/administration/moderation/"
LOG = "/administration/moderation/journal/"
SUSPENSIONS = "/administration/moderation/suspensions/"


def _report(town, reporter, kind: str, target_id, reason: str = "spam", details: str = "") -> None:
    with schema_context(town.schema_name):
        reporting.report(reporter, kind, str(target_id), reason=reason, details=details)


@pytest.fixture
def residents(town_a):
    with schema_context(town_a.schema_name):
        return [person(display_name=f"Habitant {n}") for n in range(3)]


def test_the_queue_groups_open_reports_by_target_newest_first(
    client_for, town_a, moderator_a, residents, note_kind
) -> None:
    first, second, author = residents
    note = make_note(town_a, author, "Vends un chaton")
    now = timezone.now()
    with time_machine.travel(now - timedelta(hours=2), tick=False):
        _report(town_a, first, "note", note.pk, "spam")
    with time_machine.travel(now - timedelta(hours=1), tick=False):
        _report(town_a, second, "personne", first.pk, "harassment")
    _report(town_a, second, "note", note.pk, "danger")
    page = client_for(town_a, moderator_a).get(QUEUE)
    assert page.status_code == 200
    text = body(page)
    assert "2 contenus signalés" in text
    assert text.index("Vends un chaton") < text.index("Habitant 0")  # reported again just now
    assert "2 signalements" in text
    assert "Met quelqu’un en danger, Publicité, spam ou arnaque" in text
    assert f"/administration/moderation/note/{note.pk}/" in text
    assert f"/administration/moderation/personne/{first.pk}/" in text


def test_settled_reports_leave_the_queue(client_for, town_a, moderator_a, residents) -> None:
    _report(town_a, residents[0], "personne", residents[1].pk)
    with schema_context(town_a.schema_name):
        services.dismiss_reports(moderator_a, "personne", str(residents[1].pk))
    assert "Rien à examiner." in body(client_for(town_a, moderator_a).get(QUEUE))


def _queue_selects(moderator) -> int:
    with CaptureQueriesContext(connection) as captured:
        _page, items = queries.queue_page(moderator, 1)
        for item in items:  # what the page shows, badge included
            (item.excerpt, item.reasons, item.reports[0].reporter)
            getattr(item.author, "resident_profile", None)
    return sum(1 for query in captured.captured_queries if query["sql"].startswith("SELECT"))


def test_the_queue_pages_by_twenty_with_a_constant_number_of_queries(town_a, moderator_a) -> None:
    with schema_context(town_a.schema_name):
        reporter = person()
        targets = [person(display_name=f"Cible {n}") for n in range(25)]
        reporting.report(reporter, "personne", str(targets[0].pk), reason="spam")
        with_one = _queue_selects(moderator_a)
        for target in targets[1:]:
            reporting.report(reporter, "personne", str(target.pk), reason="spam")
        assert _queue_selects(moderator_a) == with_one == 3
        page, items = queries.queue_page(moderator_a, 1)
        assert items[0].author == targets[24]
        assert (len(items), page.paginator.num_pages) == (20, 2)
        _second, rest = queries.queue_page(moderator_a, 2)
        assert len(rest) == 5


def test_details_typed_in_html_are_shown_as_text(
    client_for, town_a, moderator_a, residents
) -> None:
    _report(town_a, residents[0], "personne", residents[1].pk, "other", "<script>alert(1)</script>")
    page = client_for(town_a, moderator_a).get(
        f"/administration/moderation/personne/{residents[1].pk}/"
    )
    assert "<script>alert(1)</script>" not in body(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body(page)


def test_the_target_page_offers_what_fits(
    client_for, town_a, moderator_a, residents, note_kind
) -> None:
    note = make_note(town_a, residents[2], "Note visible")
    _report(town_a, residents[0], "note", note.pk)
    client = client_for(town_a, moderator_a)
    text = body(client.get(f"/administration/moderation/note/{note.pk}/"))
    for offered in (
        "Masquer le contenu",
        "Classer les signalements",
        "Envoyer un avertissement",
        "Suspendre la personne",
    ):
        assert offered in text
    person = body(client.get(f"/administration/moderation/personne/{residents[1].pk}/"))
    assert "Masquer le contenu" not in person
    assert "Classer les signalements" not in person  # nobody reported them
    assert "Suspendre la personne" in person


def test_a_moderator_hides_a_note_from_its_page(
    client_for, town_a, moderator_a, residents, note_kind
) -> None:
    note = make_note(town_a, residents[2], "Note à masquer")
    _report(town_a, residents[0], "note", note.pk)
    response = client_for(town_a, moderator_a).post(
        f"/administration/moderation/note/{note.pk}/",
        {"decision": "hide", "reason": "Contraire à la charte"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == QUEUE
    assert "Le contenu est masqué." in body(response)
    with schema_context(town_a.schema_name):
        assert Note.objects.get(pk=note.pk).hidden_reason == "Contraire à la charte"


def test_a_decision_without_a_reason_keeps_what_was_chosen(
    client_for, town_a, moderator_a, residents
) -> None:
    _report(town_a, residents[0], "personne", residents[1].pk)
    response = client_for(town_a, moderator_a).post(
        f"/administration/moderation/personne/{residents[1].pk}/", {"decision": "suspend"}
    )
    assert response.status_code == 400
    assert "Écrivez le motif : il est gardé dans le journal de modération." in body(response)
    assert 'value="suspend" required id="id_decision_2" checked' in body(response)
    with schema_context(town_a.schema_name):
        assert not ResidentProfile.objects.filter(suspended_at__isnull=False).exists()
        assert Report.objects.get().status == "open"


def test_a_decision_not_offered_is_refused(client_for, town_a, moderator_a, residents) -> None:
    response = client_for(town_a, moderator_a).post(
        f"/administration/moderation/personne/{residents[1].pk}/",
        {"decision": "hide", "reason": "X"},
    )
    assert response.status_code == 400
    assert "Choisissez quoi faire." in body(response)
    with schema_context(town_a.schema_name):
        assert ModerationAction.objects.count() == 0


def test_an_unknown_target_is_not_found(client_for, town_a, moderator_a) -> None:
    client = client_for(town_a, moderator_a)
    assert client.get("/administration/moderation/personne/999999/").status_code == 404
    assert client.get("/administration/moderation/inconnu/1/").status_code == 404


def test_a_deleted_target_can_still_be_dismissed(
    client_for, town_a, moderator_a, residents, note_kind
) -> None:
    note = make_note(town_a, residents[2], "Supprimée ensuite")
    _report(town_a, residents[0], "note", note.pk)
    with schema_context(town_a.schema_name):
        Note.objects.filter(pk=note.pk).delete()
    client = client_for(town_a, moderator_a)
    page = client.get(f"/administration/moderation/note/{note.pk}/")
    assert "Supprimé par son auteur" in body(page)
    assert "Supprimée ensuite" in body(page)  # the excerpt kept with the report
    client.post(f"/administration/moderation/note/{note.pk}/", {"decision": "dismiss"})
    with schema_context(town_a.schema_name):
        assert Report.objects.get().status == "dismissed"


def test_the_log_shows_who_did_what_and_why(client_for, town_a, moderator_a, residents) -> None:
    _report(town_a, residents[0], "personne", residents[1].pk)
    with schema_context(town_a.schema_name):
        services.warn_author(moderator_a, "personne", str(residents[1].pk), message="Soyez poli.")
    text = body(client_for(town_a, moderator_a).get(LOG))
    assert "1 décision" in text
    assert "Avertissement envoyé" in text
    assert moderator_a.display_name in text
    assert "Soyez poli." in text


def test_suspending_then_lifting_from_the_pages(client_for, town_a, moderator_a, residents) -> None:
    client = client_for(town_a, moderator_a)
    target = residents[1]
    client.post(
        f"/administration/moderation/personne/{target.pk}/",
        {"decision": "suspend", "reason": "Menaces"},
    )
    listing = body(client.get(SUSPENSIONS))
    assert target.display_name in listing and "Menaces" in listing
    lift = f"/administration/moderation/suspensions/{target.pk}/lever/"
    assert client.post(lift, {"reason": ""}).status_code == 400
    with schema_context(town_a.schema_name):
        assert ResidentProfile.objects.get(user=target).suspended_at is not None
    response = client.post(lift, {"reason": "Il s’est excusé"}, follow=True)
    assert "La suspension est levée." in body(response)
    assert "Personne n’est suspendu." in body(response)
    with schema_context(town_a.schema_name):
        assert ResidentProfile.objects.get(user=target).suspended_at is None


def test_the_queue_link_is_in_the_staff_menu_only(
    client_for, town_a, moderator_a, resident_a
) -> None:
    assert 'href="/administration/moderation/"' in body(client_for(town_a, moderator_a).get("/"))
    assert 'href="/administration/moderation/"' not in body(client_for(town_a, resident_a).get("/"))
