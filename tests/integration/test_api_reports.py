"""Reports through the API: the moderation's own service, its refusals as the API's answers."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from mutual_aid.factories import ConversationFactory, MessageFactory, PostFactory
from tests.api_support import API, call, make_key
from tests.moderation_fixtures import make_note, person
from townsite.moderation.models import Report

pytestmark = pytest.mark.django_db

REPORTS = API + "reports/"


def test_a_resident_reports_a_person(client_for, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        rude = person(display_name="Malpoli")
    response = call(
        client_for(town_a, resident_a),
        "post",
        REPORTS,
        {"kind": "personne", "target_id": str(rude.pk), "reason": "harassment"},
    )
    assert response.status_code == 201, response.content
    with schema_context(town_a.schema_name):
        report = Report.objects.get()
    assert (report.reporter_id, report.target_kind, report.target_id) == (
        resident_a.pk,
        "personne",
        str(rude.pk),
    )
    assert response.json() == {
        "id": report.pk,
        "kind": "personne",
        "target_id": str(rude.pk),
        "reason": "harassment",
        "details": "",
        "status": "open",
        "created_at": response.json()["created_at"],
    }


def test_content_is_reported_with_a_key(client_for, town_a, resident_a, note_kind) -> None:
    with schema_context(town_a.schema_name):
        note = make_note(town_a, person(), text="Vends des médicaments")
    response = call(
        client_for(town_a),
        "post",
        REPORTS,
        {"kind": "note", "target_id": note.pk, "reason": "spam"},
        key=make_key(town_a, resident_a),
    )
    assert response.status_code == 201
    with schema_context(town_a.schema_name):
        assert Report.objects.get().excerpt == "Vends des médicaments"


def test_a_post_and_a_message_of_ones_conversation_are_reported(
    client_for, town_a, resident_a
) -> None:
    with schema_context(town_a.schema_name):
        post = PostFactory.create(title="Vends des médicaments")
        conversation = ConversationFactory.create(post=post, respondent=resident_a)
        message = MessageFactory.create(
            conversation=conversation, sender=post.author, body="Envoyez 50 € d'abord"
        )
    client = client_for(town_a, resident_a)
    for kind, target in (("annonce", post.pk), ("message", message.pk)):
        data = {"kind": kind, "target_id": target, "reason": "spam"}
        assert call(client, "post", REPORTS, data).status_code == 201
    with schema_context(town_a.schema_name):
        reported = sorted(Report.objects.values_list("target_kind", "excerpt"))
    assert reported == [
        ("annonce", "Vends des médicaments — Je peux aider le samedi matin."),
        ("message", "Envoyez 50 € d'abord"),
    ]


def test_reporting_twice_is_a_conflict(client_for, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        rude = person()
    client = client_for(town_a, resident_a)
    data = {"kind": "personne", "target_id": rude.pk, "reason": "spam"}
    assert call(client, "post", REPORTS, data).status_code == 201
    again = call(client, "post", REPORTS, data)
    assert again.status_code == 409
    assert again.json() == {
        "detail": "Vous avez déjà signalé ceci. Les modérateurs vont bientôt le regarder."
    }
    with schema_context(town_a.schema_name):
        assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"kind": "personne", "reason": "spam"}, {"target_id": ["Ce champ est obligatoire."]}),
        (
            {"kind": "personne", "target_id": "1", "reason": "parce-que"},
            {"reason": ["«\xa0parce-que\xa0» n'est pas un choix valide."]},
        ),
        (
            {"kind": "personne", "target_id": "{me}", "reason": "other"},
            {"details": ["Dites en quelques mots ce qui ne va pas."]},
        ),
    ],
)
def test_bad_input_is_answered_in_french_and_saves_nothing(
    client_for, town_a, resident_a, data, errors
) -> None:
    with schema_context(town_a.schema_name):
        rude = person()
    if data.get("target_id") == "{me}":
        data = {**data, "target_id": str(rude.pk)}
    response = call(client_for(town_a, resident_a), "post", REPORTS, data)
    assert response.status_code == 400
    assert response.json() == errors
    with schema_context(town_a.schema_name):
        assert not Report.objects.exists()


def test_what_cannot_be_reported_is_not_found(client_for, town_a, resident_a, note_kind) -> None:
    with schema_context(town_a.schema_name):
        private = make_note(town_a, person(), private=True)
        mine = make_note(town_a, resident_a)
    client = client_for(town_a, resident_a)
    for kind, target in [
        ("personne", resident_a.pk),  # oneself
        ("note", mine.pk),  # one's own content
        ("note", private.pk),  # what one cannot see (a private message)
        ("personne", 999999),
        ("inconnu", 1),
    ]:
        response = call(
            client, "post", REPORTS, {"kind": kind, "target_id": target, "reason": "spam"}
        )
        assert response.status_code == 404, (kind, response.content)
        assert response.json() == {"detail": "Non trouvé."}
    with schema_context(town_a.schema_name):
        assert not Report.objects.exists()


def test_reports_are_not_listed_nor_read_through_the_api(client_for, town_a, moderator_a) -> None:
    client = client_for(town_a, moderator_a)
    assert call(client, "get", REPORTS).status_code == 405
    assert call(client, "get", REPORTS + "1/").status_code == 404
