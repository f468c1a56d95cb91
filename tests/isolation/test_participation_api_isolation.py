"""Nobody but its own people reads or changes town A's consultations and idea box through the API.

Town A holds a draft consultation, an open one with a file and a resident's answer (a secret in
its text), a hidden idea with an image, an open idea with a hidden comment, a comment of its
author's and a support. Every endpoint is tried, by every id and filter, by: a guest, town B's
resident (their session on A's host, their key on A's host), A's resident's key on B's host,
another resident of town A (session and key), and the root domain. Then town A is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from participation.consultations import answering
from participation.consultations import services as consultation_services
from participation.consultations.factories import ConsultationFactory
from participation.consultations.models import (
    Consultation,
    ConsultationDraft,
    ConsultationResponse,
)
from participation.ideas import services as idea_services
from participation.ideas.factories import idea_category
from participation.ideas.images import check_idea_image
from participation.ideas.models import Idea, IdeaComment, IdeaFollow, IdeaSupport
from tenants.models import Collectivite
from tests.api_support import API, assert_api_denied, call, make_key
from tests.consultation_support import every_kind
from tests.mutual_aid_support import photo_upload
from tests.participation_api_support import answers_json, consultation_url, idea_url

pytestmark = pytest.mark.django_db

SECRET_ANSWER = "Mon voisin du 12 fait du bruit"
SECRET_DRAFT = "Consultation-brouillon-de-A"
SECRET_FILE = b"%PDF-1.4 plan secret de A"
SECRET_IDEA = "Idee-masquee-de-A"
SECRET_COMMENT = "Commentaire-masque-de-A"
LEAKED = [SECRET_ANSWER, SECRET_DRAFT, SECRET_IDEA, SECRET_COMMENT]


@dataclass
class TownA:
    respondent: User
    respondent_key: str
    author: User
    draft: Consultation
    consultation: Consultation
    questions: dict[str, Any]
    attachment: int
    hidden: Idea
    open: Idea
    comment: IdeaComment
    secret: IdeaComment


@pytest.fixture
def a(town_a: Collectivite, admin_a: User, moderator_a: User, media_root: Path) -> TownA:
    with schema_context(town_a.schema_name):
        respondent, author = UserFactory.create(), UserFactory.create()
        draft = ConsultationFactory.create(title=SECRET_DRAFT, published_at=None)
        consultation, q = every_kind()
        upload = SimpleUploadedFile("plan.pdf", SECRET_FILE, "application/pdf")
        attachment = consultation_services.add_attachment(admin_a, consultation, upload)
        answers = answers_json(q, long_text=SECRET_ANSWER)["answers"]
        stored = {**answers, str(q["ranking"].pk): ["Fontaine", "Arbres", "Bancs"]}
        stored = {key: str(v) if isinstance(v, int) else v for key, v in stored.items()}
        answering.submit_answer(consultation, user=respondent, browser_key="", answers=stored)

        def submit(title: str) -> Idea:
            values = idea_services.IdeaValues(
                title=title,
                description=f"{title}, description.",
                category=idea_category("autre"),
                image=check_idea_image(photo_upload()),
            )
            return idea_services.submit_idea(author, values)

        hidden = submit(SECRET_IDEA)
        Idea.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now(), hidden_by=moderator_a)
        opened = submit("Idée ouverte de A")
        comment = IdeaComment.objects.create(idea=opened, author=author, body="Avis de l'auteur")
        secret = IdeaComment.objects.create(
            idea=opened, author=author, body=SECRET_COMMENT, hidden_at=timezone.now()
        )
        idea_services.support(author, opened)
    return TownA(
        respondent=respondent,
        respondent_key=make_key(town_a, respondent),
        author=author,
        draft=draft,
        consultation=consultation,
        questions=q,
        attachment=attachment.pk,
        hidden=hidden,
        open=opened,
        comment=comment,
        secret=secret,
    )


@dataclass
class Intruder:
    name: str
    client: Client
    key: str = ""
    resident_of_a: bool = False


@pytest.fixture
def intruders(client_for, town_a, town_b, resident_b, a) -> list[Intruder]:
    stolen = client_for(town_b, resident_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host  # B's session cookie on A's site
    with schema_context(town_a.schema_name):
        neighbour = UserFactory.create()  # another resident of A
    return [
        Intruder("guest of A", client_for(town_a)),
        Intruder("B's session on A's host", stolen),
        Intruder("B's key on A's host", client_for(town_a), key=make_key(town_b, resident_b)),
        Intruder("A's respondent's key on B's host", client_for(town_b), key=a.respondent_key),
        Intruder("the root domain", Client(HTTP_HOST=settings.ROOT_DOMAIN)),
        Intruder("another resident of A", client_for(town_a, neighbour), resident_of_a=True),
        Intruder(
            "another resident of A's key",
            client_for(town_a),
            key=make_key(town_a, neighbour),
            resident_of_a=True,
        ),
    ]


def private_reads(a: TownA) -> list[str]:
    """What nobody but its own people (or nobody at all) may read."""
    return [
        consultation_url(a.draft.key),
        consultation_url(a.draft.key, "answer/"),
        consultation_url(a.consultation.key, "answer/"),  # the respondent's answer
        idea_url(a.hidden.pk),
        idea_url(a.hidden.pk, "comments/"),
        idea_url(a.hidden.pk, "image/"),
    ]


def member_reads(a: TownA) -> list[str]:
    """What A's residents read, and nobody from outside."""
    return [
        consultation_url(a.consultation.key),
        consultation_url(a.consultation.key, f"attachments/{a.attachment}/"),
        idea_url(a.open.pk),
        idea_url(a.open.pk, "comments/"),
        idea_url(a.open.pk, "image/"),
        API + "idea-categories/",
    ]


def lists() -> list[tuple[str, dict[str, str]]]:
    return [
        (API + "consultations/", {"page_size": "100"}),
        (API + "ideas/", {"page_size": "100"}),
        (API + "ideas/", {"q": "masquee"}),
        (API + "ideas/", {"category": "autre", "sort": "newest"}),
        (API + "ideas/", {"status": "submitted", "sort": "answered"}),
    ]


def writes(a: TownA) -> list[tuple[str, str, dict[str, Any]]]:
    answer = answers_json(a.questions, long_text="Piraté")
    return [
        ("post", consultation_url(a.draft.key, "answer/"), answer),
        ("post", idea_url(a.hidden.pk, "support/"), {}),
        ("post", idea_url(a.hidden.pk, "follow/"), {}),
        ("post", idea_url(a.hidden.pk, "comments/"), {"body": "Piraté"}),
        ("post", idea_url(a.open.pk, "comments/"), {"body": "Piraté", "parent": a.secret.pk}),
        ("patch", f"{API}idea-comments/{a.comment.pk}/", {"body": "Piraté"}),
        ("delete", f"{API}idea-comments/{a.comment.pk}/", {}),
        ("patch", f"{API}idea-comments/{a.secret.pk}/", {"body": "Piraté"}),
        ("delete", f"{API}idea-comments/{a.secret.pk}/", {}),
        ("put", idea_url(a.open.pk), {"title": "Piraté"}),
        ("delete", idea_url(a.open.pk), {}),
        ("delete", consultation_url(a.consultation.key, "answer/"), {}),
    ]


def outsider_writes(a: TownA) -> list[tuple[str, str, dict[str, Any]]]:
    """Writes A's residents may make, nobody from outside."""
    return [
        ("post", consultation_url(a.consultation.key, "answer/"), answers_json(a.questions)),
        ("post", API + "ideas/", {"title": "Piraté", "description": "Piraté", "category": 1}),
        ("post", idea_url(a.open.pk, "support/"), {}),
        ("delete", idea_url(a.open.pk, "support/"), {}),
        ("post", idea_url(a.open.pk, "follow/"), {}),
        ("delete", idea_url(a.open.pk, "follow/"), {}),
        ("post", idea_url(a.open.pk, "comments/"), {"body": "Piraté"}),
    ]


def snapshot(town: Collectivite) -> tuple[Any, ...]:
    with schema_context(town.schema_name):
        return (
            list(ConsultationResponse.objects.order_by("pk").values_list("respondent", "answers")),
            ConsultationDraft.objects.count(),
            list(Idea.objects.order_by("pk").values_list("pk", "title", "support_count")),
            list(IdeaComment.objects.order_by("pk").values_list("pk", "body", "deleted_at")),
            list(IdeaSupport.objects.order_by("pk").values_list("idea", "user")),
            list(IdeaFollow.objects.order_by("pk").values_list("idea", "user")),
        )


def test_nobody_else_reads_an_answer_a_draft_or_a_hidden_idea(intruders, a) -> None:
    for intruder in intruders:
        for path in private_reads(a):
            response = call(intruder.client, "get", path, key=intruder.key)
            assert response.status_code in {401, 404}, (intruder.name, path, response.status_code)
            assert_api_denied(response, leaked=LEAKED)


def test_outsiders_read_nothing_of_the_towns_residents(intruders, a) -> None:
    for intruder in intruders:
        for path in member_reads(a):
            response = call(intruder.client, "get", path, key=intruder.key)
            if intruder.resident_of_a:
                assert response.status_code == 200, (intruder.name, path)
                continue
            assert response.status_code in {401, 404}, (intruder.name, path, response.status_code)
            assert_api_denied(response, leaked=[*LEAKED, SECRET_FILE.decode()])


def test_a_hidden_comment_is_not_read_by_another_resident(intruders, a) -> None:
    for intruder in (i for i in intruders if i.resident_of_a):
        path = idea_url(a.open.pk, "comments/")
        thread = call(intruder.client, "get", path, key=intruder.key).json()["results"]
        assert [(c["id"], c["body"]) for c in thread] == [
            (a.comment.pk, "Avis de l'auteur"),
            (a.secret.pk, ""),
        ]


def test_lists_show_nobody_else_anything_unpublished_or_private(intruders, a) -> None:
    for intruder in intruders:
        for path, query in lists():
            response = call(intruder.client, "get", path, query, key=intruder.key)
            text = response.content.decode()
            for secret in LEAKED:
                assert secret not in text, (intruder.name, path, query, secret)
            if intruder.resident_of_a:
                assert response.status_code == 200, (intruder.name, path)
                if path.endswith("consultations/"):  # the respondent's answer is not theirs
                    assert [c["answered"] for c in response.json()["results"]] == [False]
            elif response.status_code == 200:
                # A guest's list of consultations (as on the page): empty.
                assert path.endswith("consultations/"), (intruder.name, path)
                assert response.json()["results"] == []
            else:
                assert_api_denied(response)


def test_nobody_else_changes_anything(intruders, town_a, a) -> None:
    before = snapshot(town_a)
    for intruder in intruders:
        for method, path, data in writes(a):
            response = call(intruder.client, method, path, data, key=intruder.key)
            assert_api_denied(response, leaked=LEAKED)
        if intruder.resident_of_a:
            continue
        for method, path, data in outsider_writes(a):
            response = call(intruder.client, method, path, data, key=intruder.key)
            assert_api_denied(response, leaked=LEAKED)
    assert snapshot(town_a) == before


def test_another_resident_withdrawing_touches_only_their_own_support(intruders, town_a, a):
    neighbour = next(i for i in intruders if i.resident_of_a)
    response = call(neighbour.client, "delete", idea_url(a.open.pk, "support/"))
    assert response.json()["supported"] is False
    assert response.json()["support_count"] == 1
    with schema_context(town_a.schema_name):
        assert list(IdeaSupport.objects.values_list("user", flat=True)) == [a.author.pk]


def test_a_towns_own_people_still_read_what_is_theirs(client_for, town_a, a) -> None:
    mine = call(
        client_for(town_a),
        "get",
        consultation_url(a.consultation.key, "answer/"),
        key=a.respondent_key,
    )
    assert mine.status_code == 200
    assert mine.json()["answers"][str(a.questions["long_text"].pk)] == SECRET_ANSWER
    author = client_for(town_a, a.author)
    assert call(author, "get", idea_url(a.hidden.pk)).json()["title"] == SECRET_IDEA
    thread = call(author, "get", idea_url(a.open.pk, "comments/")).json()["results"]
    assert [c["body"] for c in thread] == ["Avis de l'auteur", SECRET_COMMENT]
