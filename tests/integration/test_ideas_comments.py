"""The debate under an idea: threads two levels deep, edits within 15 minutes, deleting one's
own, reports and hiding through the one moderation queue; and the pages' constant cost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from participation.ideas.factories import IdeaCommentFactory, IdeaFactory
from participation.ideas.models import Idea, IdeaComment
from tenants.models import Collectivite
from tests.helpers import body
from tests.ideas_support import new_comment, new_idea, reload
from tests.mutual_aid_support import suspend
from townsite.moderation.models import Report
from townsite.moderation.services import hide_content

pytestmark = pytest.mark.django_db


def _comment(client: Client, idea: Idea, text: str, parent: int | None = None) -> Any:
    data = {"body": text, **({"parent": parent} if parent else {})}
    return client.post(reverse("ideas:comment", args=[idea.pk]), data)


def _comments(town: Collectivite) -> list[IdeaComment]:
    with schema_context(town.schema_name):
        return list(IdeaComment.objects.order_by("pk"))


def test_a_comment_and_replies_two_levels_deep(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a)
    client = client_for(town_a, resident_a)
    assert _comment(client, idea, "Bonne idée").status_code == 302
    first = _comments(town_a)[0]
    _comment(client, idea, "Réponse", parent=first.pk)
    reply = _comments(town_a)[1]
    _comment(client, idea, "Réponse à la réponse", parent=reply.pk)
    deepest = _comments(town_a)[2]
    _comment(client, idea, "Encore plus loin", parent=deepest.pk)
    beyond = _comments(town_a)[3]
    assert [c.depth for c in _comments(town_a)] == [0, 1, 2, 2]
    assert beyond.parent_id == reply.pk  # joins the last thread, no fourth level
    assert reload(town_a, idea).comment_count == 4


def test_an_empty_or_too_long_comment_is_refused_and_kept(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a)
    client = client_for(town_a, resident_a)
    empty = _comment(client, idea, "   ")
    assert empty.status_code == 400
    assert "Écrivez votre commentaire avant de l’envoyer." in body(empty)
    long = _comment(client, idea, "Mon long texte " + "x" * 10_000)
    assert long.status_code == 400
    assert "au plus 2000 caractères" in body(long).replace("\xa0", " ")
    assert "Mon long texte" in body(long)
    assert _comments(town_a) == []


def test_a_comment_is_shown_as_text(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a)
    client = client_for(town_a, resident_a)
    _comment(client, idea, "<script>alert(1)</script>")
    page = body(client.get(reverse("ideas:detail", args=[idea.pk])))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_author_edits_within_15_minutes_only(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, time_machine: Any
) -> None:
    comment = new_comment(town_a, author=resident_a, body="Premier jet")
    client = client_for(town_a, resident_a)
    url = reverse("ideas:comment_edit", args=[comment.pk])
    assert client.post(url, {"body": "Corrigé"}).status_code == 302
    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    late = client.post(url, {"body": "Trop tard"})
    assert late.status_code == 403
    assert "dans les 15 minutes" in body(late)
    with schema_context(town_a.schema_name):
        comment.refresh_from_db()
        assert (comment.body, comment.edited_at is not None) == ("Corrigé", True)


def test_nobody_edits_or_deletes_someone_elses_comment(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    comment = new_comment(town_a, body="À moi")
    client = client_for(town_a, resident_a)
    assert (
        client.post(reverse("ideas:comment_edit", args=[comment.pk]), {"body": "x"}).status_code
        == 404
    )
    assert client.post(reverse("ideas:comment_delete", args=[comment.pk])).status_code == 404
    with schema_context(town_a.schema_name):
        comment.refresh_from_db()
        assert (comment.body, comment.deleted_at) == ("À moi", None)


def test_deleting_ones_comment_keeps_its_replies_readable(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a, comment_count=2)
    comment = new_comment(town_a, idea=idea, author=resident_a, body="Texte retiré")
    new_comment(town_a, idea=idea, parent=comment, depth=1, body="Réponse gardée")
    client = client_for(town_a, resident_a)
    client.post(reverse("ideas:comment_delete", args=[comment.pk]))
    page = body(client.get(reverse("ideas:detail", args=[idea.pk])))
    assert "Texte retiré" not in page
    assert "Commentaire supprimé par son auteur." in page
    assert "Réponse gardée" in page
    assert reload(town_a, idea).comment_count == 1


def test_a_suspended_resident_cannot_comment(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a)
    with schema_context(town_a.schema_name):
        suspend(None, resident_a)
    response = _comment(client_for(town_a, resident_a), idea, "Je veux parler")
    assert response.status_code == 400
    assert "suspendu" in body(response)
    assert _comments(town_a) == []


# --- Moderation ---------------------------------------------------------------------------


def test_ideas_and_comments_are_reported_into_the_one_queue(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a)
    comment = new_comment(town_a, idea=idea)
    client = client_for(town_a, resident_a)
    for kind, target in (("idee", idea.pk), ("commentaire-idee", comment.pk)):
        url = reverse("townsite:report", kwargs={"kind": kind, "target_id": target})
        assert client.post(url, {"reason": "spam"}).status_code == 200
    with schema_context(town_a.schema_name):
        assert sorted(Report.objects.values_list("target_kind", flat=True)) == [
            "commentaire-idee",
            "idee",
        ]


def test_a_hidden_idea_and_comment_leave_the_pages(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, moderator_a: User
) -> None:
    idea = new_idea(town_a, title="Idée à masquer")
    other = new_idea(town_a, title="Idée gardée", comment_count=1)
    comment = new_comment(town_a, idea=other, body="Commentaire injurieux")
    with schema_context(town_a.schema_name):
        hide_content(moderator_a, "idee", str(idea.pk), reason="Hors charte")
        hide_content(moderator_a, "commentaire-idee", str(comment.pk), reason="Insulte")
    client = client_for(town_a, resident_a)
    assert "Idée à masquer" not in body(client.get(reverse("ideas:list")))
    assert client.get(reverse("ideas:detail", args=[idea.pk])).status_code == 404
    page = body(client.get(reverse("ideas:detail", args=[other.pk])))
    assert "Commentaire injurieux" not in page
    assert reload(town_a, other).comment_count == 0


# --- A constant number of queries ---------------------------------------------------------


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("extra", [0, 60])
def test_the_list_costs_the_same_whatever_the_number_of_ideas(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, extra: int
) -> None:
    client = client_for(town_a, resident_a)
    with schema_context(town_a.schema_name):
        IdeaFactory.create_batch(3)
    path = reverse("ideas:list")
    client.get(path)  # the session and the site's look are read once, then cached
    baseline = _count(client, path)
    with schema_context(town_a.schema_name):
        IdeaFactory.create_batch(extra)
        assert Idea.objects.count() == 3 + extra
    assert _count(client, path) == baseline


@pytest.mark.parametrize("size", [5, 500])
def test_an_idea_page_costs_the_same_with_500_comments(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, size: int
) -> None:
    client = client_for(town_a, resident_a)
    with schema_context(town_a.schema_name):
        idea = cast(Idea, IdeaFactory())
        authors = UserFactory.create_batch(5)
        IdeaCommentFactory(idea=idea, author=authors[0])
    path = reverse("ideas:detail", args=[idea.pk])
    client.get(path)
    baseline = _count(client, path)
    with schema_context(town_a.schema_name):
        roots = [
            IdeaComment(idea=idea, author=authors[n % 5], body=f"Avis {n}")
            for n in range(size // 2)
        ]
        IdeaComment.objects.bulk_create(roots)
        IdeaComment.objects.bulk_create(
            [
                IdeaComment(idea=idea, author=authors[n % 5], parent=root, depth=1, body="Oui")
                for n, root in enumerate(roots)
            ]
        )
        assert IdeaComment.objects.filter(idea=idea).count() == 1 + 2 * (size // 2)
    assert _count(client, path) == baseline


def test_replies_to_a_hidden_comment_stay_in_the_thread(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, moderator_a: User
) -> None:
    idea = new_idea(town_a)
    hidden = new_comment(town_a, idea=idea, body="Propos masqué")
    new_comment(town_a, idea=idea, parent=hidden, depth=1, body="Réponse toujours lisible")
    with schema_context(town_a.schema_name):
        hide_content(moderator_a, "commentaire-idee", str(hidden.pk), reason="Insulte")
    page = body(client_for(town_a, resident_a).get(reverse("ideas:detail", args=[idea.pk])))
    assert "Propos masqué" not in page
    assert "Commentaire masqué par les modérateurs." in page
    assert "Réponse toujours lisible" in page
