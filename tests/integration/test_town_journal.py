"""The log of actions page: a town's admins read their town's entries, newest first, in French."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation
from django_tenants.utils import schema_context

from tenants import audit
from tenants.models import AuditEntry
from tests.audit_support import clear_journal
from tests.helpers import body

pytestmark = pytest.mark.django_db

JOURNAL = "/administration/journal/"


@pytest.fixture(autouse=True)
def _empty_journal(town_a, town_b) -> None:
    clear_journal(town_a, town_b)


def _entry(town, action: str, minutes_ago: int = 0, **fields) -> AuditEntry:
    with schema_context(town.schema_name):
        entry = audit.record(action, **fields)
    AuditEntry.objects.filter(pk=entry.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return entry


def text_of(page: str) -> str:
    """The page's words, as a screen reader goes through them."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _shown_entries(page: str) -> list[str]:
    return [part.split("</h3>")[0] for part in page.split('data-testid="journal-entry">')[1:]]


def test_an_admin_reads_who_did_what_when_and_why(admin, town_a, admin_a, moderator_a) -> None:
    _entry(
        town_a,
        "settings.modules",
        60,
        actor=admin_a,
        before={"ideas_enabled": True},
        after={"ideas_enabled": False},
    )
    _entry(
        town_a,
        "member.role_change",
        5,
        actor=admin_a,
        target=moderator_a,
        before={"role": "moderator"},
        after={"role": "admin"},
        reason="Elle remplace la secrétaire de mairie.",
    )
    response = admin.get(JOURNAL)
    assert response.status_code == 200
    page = body(response)
    assert "Journal des actions" in page
    assert "2 actions" in page
    # Newest first, with the French label and the target's name.
    assert [text.split("<h3>")[1] for text in _shown_entries(page)] == [
        f"Rôle changé — {moderator_a.display_name}",
        "Modules activés ou désactivés",
    ]
    words = text_of(page)
    role_change = AuditEntry.objects.get(action="member.role_change")
    with translation.override("fr"):
        when = formats.date_format(timezone.localtime(role_change.created_at), "j F Y, H:i")
    assert (
        f"Quand {when} Qui {admin_a.display_name} <{admin_a.email}> Ce qui a changé "
        "Rôle : avant : Modérateur·rice → après : Administrateur·rice de la collectivité "
        "Pourquoi Elle remplace la secrétaire de mairie."
    ) in words
    assert "Boîte à idées : avant : activé → après : désactivé" in words


def test_the_system_staff_and_unknown_actions_read_plainly(admin, town_a) -> None:
    _entry(town_a, "billing.trial_extended", after={"trial_ends_at": "2027-01-31"})
    _entry(town_a, "ops.something_new")
    entry = _entry(town_a, "billing.suspend")
    AuditEntry.objects.filter(pk=entry.pk).update(actor_schema="public", actor_label="Sam")
    page = body(admin.get(JOURNAL))
    assert "Essai gratuit prolongé" in page
    assert "trial_ends_at : 31 janvier 2027" in text_of(page)  # a field without a label yet
    assert "Placette (automatique)" in page
    assert "Sam, équipe Placette" in page
    assert "ops.something_new" in page  # a code without a label still shows


def test_entries_filter_by_kind_of_action(admin, town_a, admin_a) -> None:
    _entry(town_a, "invitation.sent", actor=admin_a, target_label="nadia@example.org")
    _entry(town_a, "settings.charter", actor=admin_a)
    _entry(town_a, "resident.desk_registered", actor=admin_a, target_label="Jeanne")
    team = body(admin.get(JOURNAL, {"kind": "team"}))
    assert "nadia@example.org" in team
    assert "Charte de modération modifiée" not in team and "Jeanne" not in team
    assert "1 action" in team
    assert '<option value="team" selected>' in team
    residents = body(admin.get(JOURNAL, {"kind": "residents"}))
    assert "Jeanne" in residents and "nadia@example.org" not in residents
    everything = body(admin.get(JOURNAL, {"kind": "nimporte-quoi"}))
    assert "3 actions" in everything


def test_the_log_pages_and_keeps_its_query_count(
    admin, town_a, admin_a, django_assert_num_queries
) -> None:
    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            _entry(
                town_a,
                "neighbourhood.added",
                number,
                actor=admin_a,
                target_label=f"Quartier {number:03d}",
                after={"name": f"Quartier {number:03d}"},
            )

    add(3, 0)
    admin.get(JOURNAL)  # the host's tenant is now cached, as in production
    with CaptureQueriesContext(connection) as small:
        page = body(admin.get(JOURNAL, {"kind": "settings"}))
    assert len(_shown_entries(page)) == 3

    add(40, 3)
    with django_assert_num_queries(len(small.captured_queries)):
        page = body(admin.get(JOURNAL, {"kind": "settings"}))
    shown = _shown_entries(page)
    assert len(shown) == 25
    assert "Quartier 000" in shown[0] and "Quartier 024" in shown[-1]
    assert "Page 1 sur 2" in page
    assert 'href="?kind=settings&amp;page=2"' in page
    second = _shown_entries(body(admin.get(JOURNAL, {"kind": "settings", "page": 2})))
    assert len(second) == 18
    assert "Quartier 042" in second[-1]


def test_the_dashboard_links_to_the_log(admin) -> None:
    assert f'href="{JOURNAL}"' in body(admin.get("/administration/"))


def test_moderators_and_residents_are_refused(client_for, town_a, moderator_a, resident_a):
    _entry(town_a, "settings.charter", target_label="secret-du-journal")
    for person in (moderator_a, resident_a):
        response = client_for(town_a, person).get(JOURNAL)
        assert response.status_code == 403
        assert "secret-du-journal" not in body(response)


def test_an_empty_log_says_so(admin) -> None:
    assert "Aucune action pour l’instant." in body(admin.get(JOURNAL))
