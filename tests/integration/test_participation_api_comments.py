"""The debate under an idea through the API: the thread (parent, depth), comments and replies,
changes within 15 minutes, deleting one's own, reports; the page's rules and messages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from participation.ideas.models import Idea, IdeaComment
from tests.api_support import API, call, make_key
from tests.ideas_support import new_comment, new_idea, reload
from tests.mutual_aid_support import suspend
from tests.participation_api_support import idea_url
from townsite.moderation.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(client_for, town_a, resident_a):
    return client_for(town_a, resident_a)


@pytest.fixture
def idea(town_a) -> Idea:
    return new_idea(town_a, title="Des bancs sur la place")


def _comments(town, idea: Idea) -> list[tuple[str, int | None, int]]:
    with schema_context(town.schema_name):
        rows = IdeaComment.objects.filter(idea=idea).order_by("pk")
        return list(rows.values_list("body", "parent_id", "depth"))


def _thread(client: Any, idea: Idea) -> list[dict[str, Any]]:
    response = call(client, "get", idea_url(idea.pk, "comments/"), {"page_size": "100"})
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


def _post(client: Any, idea: Idea, body: str, parent: int | None = None) -> Any:
    data: dict[str, Any] = {"body": body}
    if parent is not None:
        data["parent"] = parent
    return call(client, "post", idea_url(idea.pk, "comments/"), data)


def test_a_resident_comments_and_replies_in_a_thread(resident, town_a, resident_a, idea):
    first = _post(resident, idea, "Oui, à l'ombre.")
    assert first.status_code == 201, first.content
    reply = _post(resident, idea, "Près de la fontaine.", parent=first.json()["id"])
    assert (reply.json()["parent"], reply.json()["depth"]) == (first.json()["id"], 1)
    thread = _thread(resident, idea)
    assert [(c["body"], c["parent"], c["depth"], c["mine"]) for c in thread] == [
        ("Oui, à l'ombre.", None, 0, True),
        ("Près de la fontaine.", first.json()["id"], 1, True),
    ]
    assert thread[0]["author"]["id"] == resident_a.pk
    assert thread[0]["editable_until"] is not None
    assert reload(town_a, idea).comment_count == 2


def test_a_reply_deeper_than_two_levels_joins_the_last_thread(resident, town_a, idea) -> None:
    root = new_comment(town_a, idea=idea)
    middle = new_comment(town_a, idea=idea, parent=root, depth=1)
    deepest = new_comment(town_a, idea=idea, parent=middle, depth=2)
    reply = _post(resident, idea, "Encore une réponse", parent=deepest.pk)
    assert reply.status_code == 201
    assert (reply.json()["parent"], reply.json()["depth"]) == (middle.pk, 2)


def test_a_hidden_comment_keeps_its_place_without_its_text(
    client_for, resident, town_a, moderator_a, idea
) -> None:
    with schema_context(town_a.schema_name):
        author = UserFactory.create()
    hidden = new_comment(
        town_a, idea=idea, author=author, body="Texte masqué", hidden_at=timezone.now()
    )
    new_comment(town_a, idea=idea, parent=hidden, depth=1, body="Une réponse")
    [shown, answer] = _thread(resident, idea)
    assert (shown["id"], shown["hidden"], shown["body"], shown["author"]) == (
        hidden.pk,
        True,
        "",
        None,
    )
    assert (answer["parent"], answer["body"]) == (hidden.pk, "Une réponse")
    # Its author and the moderators still read it, as on the page.
    for who in (author, moderator_a):
        assert _thread(client_for(town_a, who), idea)[0]["body"] == "Texte masqué"


def test_a_deleted_comment_keeps_its_place_for_its_replies(resident, town_a, resident_a, idea):
    mine = _post(resident, idea, "À supprimer").json()["id"]
    _post(resident, idea, "Une réponse", parent=mine)
    assert call(resident, "delete", f"{API}idea-comments/{mine}/").status_code == 204
    [gone, reply] = _thread(resident, idea)
    assert (gone["deleted"], gone["body"], reply["parent"]) == (True, "", mine)
    assert _comments(town_a, idea)[0] == ("", None, 0)
    assert reload(town_a, idea).comment_count == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Écrivez votre commentaire avant de l’envoyer."),
        ("x" * 2001, "Écrivez au plus 2000 caractères, s’il vous plaît (il y en a 2001)."),
    ],
)
def test_a_bad_comment_is_refused_and_nothing_is_saved(resident, town_a, idea, text, message):
    response = _post(resident, idea, text)
    assert response.status_code == 400
    assert response.json() == {"body": [message]}
    assert _comments(town_a, idea) == []


def test_script_and_html_are_stored_as_text(resident, town_a, idea) -> None:
    script = "<script>alert('x')</script><b>gras</b>"
    response = _post(resident, idea, script)
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert _thread(resident, idea)[0]["body"] == script


def test_no_reply_to_a_hidden_comment_nor_across_ideas(resident, town_a, idea) -> None:
    hidden = new_comment(town_a, idea=idea, hidden_at=timezone.now())
    elsewhere = new_comment(town_a, idea=new_idea(town_a))
    for parent in (hidden.pk, elsewhere.pk, 999999):
        response = _post(resident, idea, "Réponse", parent=parent)
        assert response.status_code == 403
        assert response.json() == {"detail": "On ne peut plus répondre à ce commentaire."}
    assert [row[0] for row in _comments(town_a, idea)] == [hidden.body]


def test_a_closed_idea_takes_no_comment(resident, town_a) -> None:
    closed = new_idea(town_a, status=Idea.Status.NOT_RETAINED)
    response = _post(resident, closed, "Dommage")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Cette idée est close : on ne peut plus la soutenir ni la commenter."
    }
    assert _comments(town_a, closed) == []


def test_a_suspended_resident_cannot_comment(resident, town_a, resident_a, idea) -> None:
    with schema_context(town_a.schema_name):
        suspend(None, resident_a)
    assert _post(resident, idea, "Bonjour").status_code == 403
    assert _comments(town_a, idea) == []


def test_a_guest_cannot_comment(client_for, town_a, idea) -> None:
    assert _post(client_for(town_a), idea, "Bonjour").status_code == 401
    assert _comments(town_a, idea) == []


def test_a_comment_is_changed_within_15_minutes_only(resident, town_a, idea, time_machine) -> None:
    mine = _post(resident, idea, "Premier jet").json()["id"]
    path = f"{API}idea-comments/{mine}/"
    changed = call(resident, "patch", path, {"body": "Version revue"})
    assert changed.status_code == 200
    assert (changed.json()["body"], changed.json()["edited_at"] is not None) == (
        "Version revue",
        True,
    )
    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    late = call(resident, "patch", path, {"body": "Trop tard"})
    assert late.status_code == 403
    assert late.json() == {
        "detail": "Un commentaire ne peut être modifié que dans les 15 minutes après son envoi."
    }
    assert _comments(town_a, idea) == [("Version revue", None, 0)]


def test_an_empty_change_is_refused(resident, town_a, idea) -> None:
    mine = _post(resident, idea, "Premier jet").json()["id"]
    response = call(resident, "patch", f"{API}idea-comments/{mine}/", {"body": " "})
    assert response.status_code == 400
    assert response.json() == {"body": ["Écrivez votre commentaire avant de l’envoyer."]}
    assert _comments(town_a, idea) == [("Premier jet", None, 0)]


def test_nobody_else_changes_or_deletes_my_comment(client_for, resident, town_a, idea) -> None:
    mine = _post(resident, idea, "À moi").json()["id"]
    with schema_context(town_a.schema_name):
        other = UserFactory.create()
    intruder = client_for(town_a, other)
    path = f"{API}idea-comments/{mine}/"
    assert call(intruder, "patch", path, {"body": "Piraté"}).status_code == 404
    assert call(intruder, "delete", path).status_code == 404
    assert _comments(town_a, idea) == [("À moi", None, 0)]


def test_a_comment_and_an_idea_are_reported_through_the_reports_endpoint(
    resident, town_a, resident_a, idea
) -> None:
    theirs = new_comment(town_a, idea=idea, body="Propos déplacé")
    mine = _post(resident, idea, "Le mien").json()["id"]
    report = API + "reports/"
    data = {"kind": "commentaire-idee", "target_id": theirs.pk, "reason": "spam"}
    assert call(resident, "post", report, data).status_code == 201
    assert call(resident, "post", report, data).status_code == 409
    own = {"kind": "commentaire-idee", "target_id": mine, "reason": "spam"}
    assert call(resident, "post", report, own).status_code == 404
    idea_report = {"kind": "idee", "target_id": idea.pk, "reason": "spam"}
    assert call(resident, "post", report, idea_report).status_code == 201
    with schema_context(town_a.schema_name):
        reported = sorted(Report.objects.values_list("target_kind", "target_id", "reporter_id"))
    assert reported == [
        ("commentaire-idee", str(theirs.pk), resident_a.pk),
        ("idee", str(idea.pk), resident_a.pk),
    ]


def test_the_thread_costs_the_same_at_50_and_500_comments(
    client_for, town_a, resident_a, idea
) -> None:
    key = make_key(town_a, resident_a)

    def add(count: int) -> None:
        with schema_context(town_a.schema_name):
            authors = [UserFactory.create() for _ in range(4)]
            roots = IdeaComment.objects.bulk_create(
                IdeaComment(idea=idea, author=authors[n % 4], body=f"Avis {n}")
                for n in range(count // 2)
            )
            IdeaComment.objects.bulk_create(
                IdeaComment(idea=idea, author=authors[n % 4], parent=root, depth=1, body="Oui")
                for n, root in enumerate(roots)
            )

    def queries(expected: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = call(
                client_for(town_a),
                "get",
                idea_url(idea.pk, "comments/"),
                {"page_size": "100"},
                key=key,
            )
        assert len(response.json()["results"]) == expected
        assert all(comment["author"] for comment in response.json()["results"])
        return len(captured)

    add(50)
    queries(50)
    small = queries(50)
    add(450)
    assert queries(100) == small
