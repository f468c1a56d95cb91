"""Town B, a guest and another resident reach nothing of town A's idea box they should not:
hidden ideas and their images, hidden comments, other people's comments and supports, the
staff's pages. Every attempt is made, then town A's data is checked untouched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from participation.ideas import services
from participation.ideas.factories import idea_category
from participation.ideas.images import check_idea_image
from participation.ideas.models import (
    Idea,
    IdeaAnswer,
    IdeaCategory,
    IdeaComment,
    IdeaFollow,
    IdeaSettings,
    IdeaSupport,
)
from tenants.models import Collectivite
from tests.helpers import body, probe
from tests.mutual_aid_support import new_resident, photo_upload

pytestmark = pytest.mark.django_db

OPEN_TITLE = "Idée-ouverte-de-A"
HIDDEN_TITLE = "Idée-masquée-de-A"
HIDDEN_COMMENT = "Commentaire-masqué-de-A"
OWN_COMMENT = "Commentaire-de-l-auteur-A"


def _submit(author: User, title: str) -> Idea:
    return services.submit_idea(
        author,
        services.IdeaValues(
            title=title,
            description=f"{title}, description.",
            category=idea_category("autre"),
            image=check_idea_image(photo_upload()),
            image_description=f"Image de {title}",
        ),
    )


@pytest.fixture
def a_ideas(town_a: Collectivite, resident_a: User, moderator_a: User, media_root: Path) -> Any:
    with schema_context(town_a.schema_name):
        author = new_resident()
        open_idea = _submit(author, OPEN_TITLE)
        hidden = _submit(author, HIDDEN_TITLE)
        Idea.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now(), hidden_by=moderator_a)
        own = IdeaComment.objects.create(idea=open_idea, author=author, body=OWN_COMMENT)
        secret = IdeaComment.objects.create(
            idea=open_idea, author=author, body=HIDDEN_COMMENT, hidden_at=timezone.now()
        )
        IdeaSupport.objects.create(idea=open_idea, user=author)
        Idea.objects.filter(pk=open_idea.pk).update(support_count=1, comment_count=1)
        return {"author": author, "open": open_idea, "hidden": hidden, "own": own, "secret": secret}


def _snapshot(town: Collectivite) -> tuple[Any, ...]:
    with schema_context(town.schema_name):
        return (
            list(Idea.objects.order_by("pk").values_list("pk", "status", "support_count", "title")),
            list(IdeaComment.objects.order_by("pk").values_list("pk", "body", "deleted_at")),
            IdeaSupport.objects.count(),
            IdeaFollow.objects.count(),
            IdeaAnswer.objects.count(),
            list(IdeaCategory.objects.order_by("pk").values_list("name", "enabled")),
            IdeaSettings.load().support_threshold,
        )


def _everything(a: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Every page and endpoint of the idea box, about town A's ideas."""
    pk, hidden = a["open"].pk, a["hidden"].pk
    category = IdeaCategory.objects.first()
    assert category is not None
    return [
        ("get", "/idees/", {}),
        ("get", "/idees/proposer/", {}),
        ("post", "/idees/proposer/", {"title": "Intrus", "description": "x", "category": "1"}),
        ("get", "/idees/semblables/?title=Idée", {}),
        ("get", f"/idees/{pk}/", {}),
        ("get", f"/idees/{pk}/image/", {}),
        ("get", f"/idees/{hidden}/", {}),
        ("get", f"/idees/{hidden}/image/", {}),
        ("post", f"/idees/{pk}/soutenir/", {}),
        ("post", f"/idees/{pk}/retirer-soutien/", {}),
        ("post", f"/idees/{pk}/suivre/", {}),
        ("post", f"/idees/{pk}/ne-plus-suivre/", {}),
        ("post", f"/idees/{pk}/commenter/", {"body": "Intrus"}),
        ("get", f"/idees/commentaires/{a['own'].pk}/modifier/", {}),
        ("post", f"/idees/commentaires/{a['own'].pk}/modifier/", {"body": "Piraté"}),
        ("post", f"/idees/commentaires/{a['own'].pk}/supprimer/", {}),
        *_staff(a, category.pk),
    ]


def _staff(a: Any, category_pk: int) -> list[tuple[str, str, dict[str, Any]]]:
    pk, hidden = a["open"].pk, a["hidden"].pk
    return [
        ("get", "/administration/idees/", {}),
        ("post", f"/administration/idees/{pk}/repondre/", {"status": "accepted", "text": "x"}),
        ("post", f"/administration/idees/{pk}/fusionner/", {"merge-into": hidden}),
        ("get", "/administration/idees/categories/", {}),
        ("post", "/administration/idees/categories/", {"new-name": "Piratée", "new-position": 0}),
        ("post", "/administration/idees/categories/", {"threshold-support_threshold": 1}),
        ("get", f"/administration/idees/categories/{category_pk}/", {}),
        ("post", f"/administration/idees/categories/{category_pk}/", {"name": "Piratée"}),
    ]


LEAKS = [OPEN_TITLE, HIDDEN_TITLE, HIDDEN_COMMENT, OWN_COMMENT]


def test_a_guest_of_town_a_reaches_nothing(
    client_for: Callable[..., Client], town_a: Collectivite, a_ideas: Any
) -> None:
    before = _snapshot(town_a)
    guest = client_for(town_a)
    with schema_context(town_a.schema_name):
        attempts = _everything(a_ideas)
    for method, path, data in attempts:
        probe(guest, path, method=method, data=data, leaked=LEAKS)
    assert _snapshot(town_a) == before


def test_town_b_people_reach_nothing_of_town_a(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    town_b: Collectivite,
    resident_b: User,
    admin_b: User,
    a_ideas: Any,
) -> None:
    before = _snapshot(town_a)
    # What names town A's rows by number; the pages without one are town B's own (categories
    # are seeded with the same numbers in every town: on B's site they are B's).
    with schema_context(town_a.schema_name):
        attempts = [
            attempt
            for attempt in _everything(a_ideas)
            if any(str(n) in attempt[1] for n in (a_ideas["open"].pk, a_ideas["hidden"].pk))
            or "/commentaires/" in attempt[1]
        ]
    assert len(attempts) == 14
    for person in (resident_b, admin_b):
        client = client_for(town_b, person)
        for method, path, data in attempts:
            probe(client, path, method=method, data=data, leaked=LEAKS)
        # Town B's own list and search show nothing of A's.
        for path in ("/idees/", "/idees/semblables/?title=Idée ouverte"):
            page = body(client.get(path))
            assert OPEN_TITLE not in page and HIDDEN_TITLE not in page
    assert _snapshot(town_a) == before


def test_another_resident_sees_no_hidden_idea_image_or_comment_and_changes_nothing(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, a_ideas: Any
) -> None:
    before = _snapshot(town_a)
    client = client_for(town_a, resident_a)
    hidden, own = a_ideas["hidden"].pk, a_ideas["own"].pk
    with schema_context(town_a.schema_name):
        category = IdeaCategory.objects.first()
    assert category is not None
    attempts = [
        ("get", f"/idees/{hidden}/", {}),
        ("get", f"/idees/{hidden}/image/", {}),
        ("post", f"/idees/{hidden}/soutenir/", {}),
        ("post", f"/idees/{hidden}/commenter/", {"body": "Intrus"}),
        ("get", f"/idees/commentaires/{own}/modifier/", {}),
        ("post", f"/idees/commentaires/{own}/modifier/", {"body": "Piraté"}),
        ("post", f"/idees/commentaires/{own}/supprimer/", {}),
        *_staff(a_ideas, category.pk),
    ]
    for method, path, data in attempts:
        probe(client, path, method=method, data=data, leaked=[HIDDEN_TITLE, HIDDEN_COMMENT])
    page = body(client.get(f"/idees/{a_ideas['open'].pk}/"))
    assert OWN_COMMENT in page and HIDDEN_COMMENT not in page
    assert HIDDEN_TITLE not in body(client.get("/idees/"))
    assert HIDDEN_TITLE not in body(client.get("/idees/semblables/?title=Idée masquée"))
    assert _snapshot(town_a) == before


def test_a_moderator_of_town_a_sees_hidden_content_the_author_sees_their_own(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User, a_ideas: Any
) -> None:
    hidden = a_ideas["hidden"].pk
    assert client_for(town_a, moderator_a).get(f"/idees/{hidden}/").status_code == 200
    author = client_for(town_a, a_ideas["author"])
    assert author.get(f"/idees/{hidden}/image/").status_code == 200
    assert HIDDEN_COMMENT in body(author.get(f"/idees/{a_ideas['open'].pk}/"))
