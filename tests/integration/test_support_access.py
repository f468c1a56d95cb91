"""Support access: a town admin grants our staff a few hours; staff read the site, nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from mutual_aid.factories import PostFactory
from ops.models import SupportGrant, SupportUse
from tenants.models import AuditEntry
from tests.helpers import body
from tests.support_access_support import entry_path, grant, support_client

pytestmark = pytest.mark.django_db
SUPPORT_PAGE = "/administration/support/"


@pytest.fixture
def post_a(town_a, resident_a):
    with schema_context(town_a.schema_name):
        return PostFactory(author=resident_a, title="Tondeuse à prêter rue des Lilas")


def test_the_admin_grants_access_for_the_chosen_hours(admin, town_a) -> None:
    response = admin.post(SUPPORT_PAGE, {"hours": "24", "reason": "Bug de la carte"})
    assert response.status_code == 302
    live = SupportGrant.objects.get(collectivite=town_a)
    assert live.ends_at - live.starts_at == timedelta(hours=24)
    assert live.reason == "Bug de la carte"


def test_a_grant_writes_one_audit_entry(admin, town_a) -> None:
    admin.post(SUPPORT_PAGE, {"hours": "1"})
    assert AuditEntry.objects.filter(collectivite=town_a, action="support.grant").count() == 1


def test_an_unknown_duration_is_refused_and_nothing_granted(admin, town_a) -> None:
    response = admin.post(SUPPORT_PAGE, {"hours": "1000"})
    assert response.status_code == 400
    assert not SupportGrant.objects.filter(collectivite=town_a).exists()


def test_a_second_live_grant_is_refused(admin, town_a, admin_a) -> None:
    grant(town_a, admin_a)
    response = admin.post(SUPPORT_PAGE, {"hours": "72"})
    assert response.status_code == 400
    assert SupportGrant.objects.filter(collectivite=town_a).count() == 1


def test_the_admin_revokes_and_it_is_audited(admin, town_a, admin_a) -> None:
    live = grant(town_a, admin_a)
    response = admin.post(f"{SUPPORT_PAGE}{live.pk}/retirer/")
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.revoked_at is not None
    assert AuditEntry.objects.filter(collectivite=town_a, action="support.revoke").count() == 1


def test_the_console_shows_no_access_without_a_grant(console, town_a) -> None:
    page = body(console.get(f"/ops/collectivites/{town_a.pk}/"))
    assert 'data-live="no"' in page
    assert 'id="open-as-support"' not in page


def test_the_console_shows_the_live_grant_and_the_button(console, town_a, admin_a) -> None:
    grant(town_a, admin_a)
    page = body(console.get(f"/ops/collectivites/{town_a.pk}/"))
    assert 'data-live="yes"' in page
    assert 'id="open-as-support"' in page


def test_the_console_never_shows_residents_content(console, town_a, admin_a, post_a) -> None:
    grant(town_a, admin_a)
    assert post_a.title not in body(console.get(f"/ops/collectivites/{town_a.pk}/"))


def test_staff_with_a_grant_read_a_residents_post(console, town_a, admin_a, post_a) -> None:
    grant(town_a, admin_a)
    client = support_client(console, town_a)
    response = client.get(f"/entraide/{post_a.pk}/")
    assert response.status_code == 200
    assert post_a.title in body(response)


def test_every_page_seen_is_a_use_with_its_audit_entry(console, town_a, admin_a, post_a) -> None:
    grant(town_a, admin_a)
    support_client(console, town_a).get(f"/entraide/{post_a.pk}/")
    use = SupportUse.objects.get(path=f"/entraide/{post_a.pk}/")
    assert use.staff_label.endswith("<console@placette.example>")
    assert AuditEntry.objects.filter(collectivite=town_a, action="support.use").count() == 1


def test_the_admin_sees_the_uses(console, admin, town_a, admin_a, post_a) -> None:
    grant(town_a, admin_a)
    support_client(console, town_a).get(f"/entraide/{post_a.pk}/")
    assert f"/entraide/{post_a.pk}/" in body(admin.get(SUPPORT_PAGE))


def test_a_support_session_never_posts(console, town_a, admin_a, post_a) -> None:
    grant(town_a, admin_a)
    client = support_client(console, town_a)
    response = client.post("/entraide/publier/", {"title": "Hop"})
    assert response.status_code == 403


def test_a_support_session_never_reaches_the_administration(console, town_a, admin_a) -> None:
    grant(town_a, admin_a)
    response = support_client(console, town_a).get(SUPPORT_PAGE)
    assert response.status_code in (302, 403)
    assert 'id="revoke-support"' not in body(response)


def test_revoking_ends_the_session_at_once(console, town_a, admin_a, post_a) -> None:
    live = grant(town_a, admin_a)
    client = support_client(console, town_a)
    with schema_context(town_a.schema_name):
        from ops import support_access

        support_access.revoke_access(town_a, live.pk, revoked_by=admin_a)
    response = client.get(f"/entraide/{post_a.pk}/")
    assert response.status_code == 403
    assert post_a.title not in body(response)


def test_the_grants_end_ends_the_session(console, town_a, admin_a, post_a, time_machine) -> None:
    grant(town_a, admin_a, hours=1)
    client = support_client(console, town_a)
    time_machine.move_to(timezone.now() + timedelta(hours=1, seconds=1))
    response = client.get(f"/entraide/{post_a.pk}/")
    assert response.status_code == 403
    assert post_a.title not in body(response)


def test_the_button_refuses_without_a_grant(console, town_a) -> None:
    response = console.post(f"/ops/collectivites/{town_a.pk}/support/")
    assert response.status_code == 302
    assert response["Location"] == f"/ops/collectivites/{town_a.pk}/"


def test_a_token_refuses_once_the_grant_is_revoked(console, town_a, admin_a, client_for) -> None:
    live = grant(town_a, admin_a)
    path = entry_path(console, town_a)
    SupportGrant.objects.filter(pk=live.pk).update(revoked_at=timezone.now())
    assert client_for(town_a).get(path).status_code == 403


def test_a_use_names_the_staff_member_in_the_towns_log(console, town_a, admin_a, post_a) -> None:
    grant(town_a, admin_a)
    support_client(console, town_a).get(f"/entraide/{post_a.pk}/")
    entry = AuditEntry.objects.get(collectivite=town_a, action="support.use")
    assert entry.actor_schema == "public"
    assert entry.actor_label.endswith("<console@placette.example>")


def test_the_towns_log_lists_support_entries(console, admin, town_a, admin_a) -> None:
    grant(town_a, admin_a)
    response = admin.get("/administration/journal/")
    assert response.status_code == 200
    assert body(response).count('data-testid="journal-entry"') == 1
