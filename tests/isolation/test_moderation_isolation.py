"""Town A's reports, queue, log, suspensions and blocks stay in town A, with its moderators."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from tests.helpers import body, probe
from tests.moderation_fixtures import Note, make_note, person
from townsite.models import ResidentProfile
from townsite.moderation import blocking, reporting, services
from townsite.moderation.models import Block, ModerationAction, Report

pytestmark = pytest.mark.django_db
SECRET_NAME = "Ursule Signalée-de-A"
SECRET_DETAILS = "Détails secrets du signalement de A"
SECRET_NOTE = "Note secrète de A"
SECRET_REASON = "Motif secret de A"


@dataclass
class TownAState:
    reported: User
    suspended: User
    blocked: User
    reporter: User
    note: Note

    def urls(self) -> list[tuple[str, str, dict]]:
        """Every moderation page of town A, with what an intruder would send."""
        target = f"/administration/moderation/personne/{self.reported.pk}/"
        note = f"/administration/moderation/note/{self.note.pk}/"
        lift = f"/administration/moderation/suspensions/{self.suspended.pk}/lever/"
        verify = f"/administration/habitants/{self.reported.pk}/verification/"
        return [
            ("get", "/administration/moderation/", {}),
            ("get", "/administration/moderation/journal/", {}),
            ("get", "/administration/moderation/suspensions/", {}),
            ("get", target, {}),
            ("post", target, {"decision": "suspend", "reason": "intrusion"}),
            ("get", note, {}),
            ("post", note, {"decision": "hide", "reason": "intrusion"}),
            ("get", lift, {}),
            ("post", lift, {"reason": "intrusion"}),
            ("post", verify, {"verified": "1"}),
        ]


@pytest.fixture
def state_a(town_a, moderator_a, note_kind) -> TownAState:
    with schema_context(town_a.schema_name):
        reporter = person(display_name="Rapporteuse")
        reported = person(display_name=SECRET_NAME)
        suspended = person(display_name="Suspendu De A")
        blocked = person(display_name="Bloqué De A")
    note = make_note(town_a, reported, SECRET_NOTE)
    with schema_context(town_a.schema_name):
        reporting.report(
            reporter, "personne", str(reported.pk), reason="other", details=SECRET_DETAILS
        )
        reporting.report(reporter, "note", str(note.pk), reason="spam")
        services.suspend_resident(moderator_a, "personne", str(suspended.pk), reason=SECRET_REASON)
        blocking.block(reporter, blocked.pk)
    return TownAState(reported, suspended, blocked, reporter, note)


def _assert_a_untouched(town_a, state: TownAState) -> None:
    with schema_context(town_a.schema_name):
        assert Report.objects.filter(status="open").count() == 2
        assert Note.objects.get(pk=state.note.pk).hidden_at is None
        assert ModerationAction.objects.count() == 1  # the suspension made by the fixture
        assert ResidentProfile.objects.get(user=state.suspended).suspended_at is not None
        assert not ResidentProfile.objects.filter(
            user=state.reported, verified_at__isnull=False
        ).exists()
        assert not ResidentProfile.objects.filter(
            user=state.reported, suspended_at__isnull=False
        ).exists()
        assert Block.objects.filter(blocker=state.reporter, blocked=state.blocked).exists()


LEAKED = [SECRET_NAME, SECRET_DETAILS, SECRET_NOTE, SECRET_REASON]


def test_b_cookies_on_a_site_open_nothing(
    client_for, town_a, town_b, resident_b, moderator_b, admin_b, state_a
) -> None:
    for intruder in (resident_b, moderator_b, admin_b):
        stolen = client_for(town_b, intruder)
        stolen.defaults["HTTP_HOST"] = town_a.primary_host
        for method, path, data in state_a.urls():
            probe(stolen, path, method=method, data=data, leaked=LEAKED)
        probe(stolen, f"/signaler/personne/{state_a.reported.pk}/", leaked=LEAKED)
        probe(
            stolen,
            f"/signaler/personne/{state_a.reported.pk}/",
            method="post",
            data={"reason": "spam"},
        )
        probe(
            stolen,
            f"/mon-compte/personnes-bloquees/{state_a.blocked.pk}/debloquer/",
            method="post",
        )
        probe(stolen, "/mon-compte/personnes-bloquees/", leaked=["Bloqué De A"])
    _assert_a_untouched(town_a, state_a)
    with schema_context(town_a.schema_name):
        assert Report.objects.count() == 2


def test_b_moderators_on_their_own_site_see_nothing_of_a(
    client_for, town_b, moderator_b, admin_b, state_a, town_a
) -> None:
    for agent in (moderator_b, admin_b):
        client = client_for(town_b, agent)
        for path in (
            "/administration/moderation/",
            "/administration/moderation/journal/",
            "/administration/moderation/suspensions/",
        ):
            page = client.get(path)
            assert page.status_code == 200
            for text in LEAKED + ["Suspendu De A"]:
                assert text not in body(page)
        # A's ids on B's site: B has no such note; a person id is B's own person, or nobody.
        probe(client, f"/administration/moderation/note/{state_a.note.pk}/", leaked=LEAKED)
        person = client.get(f"/administration/moderation/personne/{state_a.reported.pk}/")
        assert SECRET_NAME not in body(person) and SECRET_DETAILS not in body(person)
        probe(
            client,
            f"/administration/moderation/note/{state_a.note.pk}/",
            method="post",
            data={"decision": "hide", "reason": "intrusion"},
        )
    _assert_a_untouched(town_a, state_a)


def test_residents_and_guests_of_a_never_reach_the_queue(
    client_for, town_a, resident_a, state_a
) -> None:
    for client in (client_for(town_a), client_for(town_a, resident_a)):
        for method, path, data in state_a.urls():
            probe(client, path, method=method, data=data, leaked=LEAKED)
    # Not even the reporter, nor the person suspended, reads the queue or the log.
    for someone in (state_a.reporter, state_a.suspended):
        client = client_for(town_a, someone)
        probe(client, "/administration/moderation/", leaked=LEAKED)
        probe(client, "/administration/moderation/journal/", leaked=LEAKED)
    probe(client_for(None), "/administration/moderation/")  # nor the root domain
    _assert_a_untouched(town_a, state_a)


def test_another_resident_sees_no_one_else_report(client_for, town_a, resident_a, state_a) -> None:
    page = client_for(town_a, resident_a).get(f"/signaler/personne/{state_a.reported.pk}/")
    assert page.status_code == 200
    assert "déjà signalé" not in body(page)  # that is the reporter's report, not theirs
    assert SECRET_DETAILS not in body(page)


def test_nobody_unblocks_for_someone_else(client_for, town_a, resident_a, state_a) -> None:
    client = client_for(town_a, resident_a)
    response = client.post(
        f"/mon-compte/personnes-bloquees/{state_a.blocked.pk}/debloquer/", follow=True
    )
    assert "Cette personne n’était pas bloquée." in body(response)
    assert "Bloqué De A" not in body(client.get("/mon-compte/personnes-bloquees/"))
    # The blocked person cannot lift the block on themselves either.
    client_for(town_a, state_a.blocked).post(
        f"/mon-compte/personnes-bloquees/{state_a.reporter.pk}/debloquer/"
    )
    _assert_a_untouched(town_a, state_a)


def test_a_resident_of_b_cannot_report_people_of_a_from_b(
    client_for, town_b, resident_b, state_a, town_a
) -> None:
    client = client_for(town_b, resident_b)
    response = client.get(f"/signaler/note/{state_a.note.pk}/")
    assert response.status_code == 404
    assert SECRET_NOTE not in body(response)
    client.post(f"/signaler/note/{state_a.note.pk}/", {"reason": "spam"})
    with schema_context(town_b.schema_name):
        assert Report.objects.count() == 0
    _assert_a_untouched(town_a, state_a)
