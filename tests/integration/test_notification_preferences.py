"""Email preferences per kind: the page, the staff-only kinds, and saving only what changed."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from notifications import preferences
from notifications.kinds import Frequency
from notifications.models import Preference
from tests.audit_support import clear_journal, entries, only_entry
from tests.helpers import body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notification_kinds")]
PAGE = "/mon-compte/notifications/"
EVERY_KIND = {
    "kind__tests.message": "immediate",
    "kind__tests.new_post": "daily",
    "kind__tests.weekly_news": "weekly",
}


@pytest.fixture(autouse=True)
def _empty_journal(town_a, town_b) -> None:
    clear_journal(town_a, town_b)


def _rows(town, user) -> dict[str, str]:
    with schema_context(town.schema_name):
        return dict(Preference.objects.filter(user=user).values_list("kind", "frequency"))


def test_the_account_page_links_to_the_preferences(client_for, town_a, resident_a) -> None:
    assert f'href="{PAGE}"' in body(client_for(town_a, resident_a).get("/mon-compte/"))


def test_the_page_shows_each_kind_with_its_default(client_for, town_a, resident_a) -> None:
    page = body(client_for(town_a, resident_a).get(PAGE))
    assert "Messages for you" in page and "New posts" in page and "Town news" in page
    assert "Tout de suite" in page and "Une fois par jour" in page and "Jamais" in page
    assert 'value="daily" required id="id_kind__tests.new_post_1" checked' in page
    assert 'value="immediate" required id="id_kind__tests.message_0" checked' in page


def test_staff_only_kinds_are_for_the_staff(client_for, town_a, resident_a, moderator_a) -> None:
    assert "New reports to moderate" not in body(client_for(town_a, resident_a).get(PAGE))
    assert "New reports to moderate" in body(client_for(town_a, moderator_a).get(PAGE))


def test_saving_writes_only_the_changed_kinds(client_for, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        Preference.objects.create(user=resident_a, kind="tests.weekly_news", frequency="never")
    response = client_for(town_a, resident_a).post(
        PAGE,
        {**EVERY_KIND, "kind__tests.new_post": "weekly", "kind__tests.weekly_news": "never"},
    )
    assert response.status_code == 302 and response["Location"] == PAGE
    assert _rows(town_a, resident_a) == {"tests.new_post": "weekly", "tests.weekly_news": "never"}
    entry = only_entry(town_a, "account.email_preferences")
    assert entry.before == {"tests.new_post": "daily"}
    assert entry.after == {"tests.new_post": "weekly"}
    assert entry.actor_id == resident_a.pk


def test_saving_the_same_choices_writes_nothing(client_for, town_a, resident_a) -> None:
    client = client_for(town_a, resident_a)
    response = client.post(PAGE, EVERY_KIND)
    assert response.status_code == 302
    assert _rows(town_a, resident_a) == {}
    assert entries(town_a) == []
    assert "Vos choix d’e-mails sont enregistrés." not in body(client.get(PAGE))


def test_a_bad_choice_says_so_and_saves_nothing(client_for, town_a, resident_a) -> None:
    response = client_for(town_a, resident_a).post(
        PAGE, {**EVERY_KIND, "kind__tests.new_post": "hourly", "kind__tests.message": "never"}
    )
    assert response.status_code == 400
    page = body(response)
    assert "Merci de choisir une réponse pour chaque ligne." in page
    # What was typed is kept: the valid choice shows as chosen.
    assert 'value="never" required id="id_kind__tests.message_3" checked' in page
    assert _rows(town_a, resident_a) == {}


def test_a_resident_cannot_choose_for_a_staff_kind(client_for, town_a, resident_a) -> None:
    client_for(town_a, resident_a).post(PAGE, {**EVERY_KIND, "kind__tests.reports": "never"})
    assert _rows(town_a, resident_a) == {}
    with schema_context(town_a.schema_name), pytest.raises(ValueError):
        preferences.set_frequencies(resident_a, {"tests.reports": Frequency.NEVER})


def test_frequencies_for_many_is_one_query(
    town_a, resident_a, moderator_a, django_assert_num_queries
) -> None:
    with schema_context(town_a.schema_name):
        Preference.objects.create(user=resident_a, kind="tests.new_post", frequency="never")
        Preference.objects.exists()
        with django_assert_num_queries(2):  # SET search_path, then the one SELECT
            found = preferences.frequencies_for(
                [resident_a.pk, moderator_a.pk], ["tests.new_post", "tests.message"]
            )
    assert found == {
        (resident_a.pk, "tests.new_post"): "never",
        (resident_a.pk, "tests.message"): "immediate",
        (moderator_a.pk, "tests.new_post"): "daily",
        (moderator_a.pk, "tests.message"): "immediate",
    }
