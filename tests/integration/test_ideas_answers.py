"""The town answers ideas: the status workflow with its official answer, notices to the
author and followers, merging duplicates, and the staff's settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context

from accounts.models import User
from notifications.models import Notification
from participation.ideas.models import (
    Idea,
    IdeaAnswer,
    IdeaCategory,
    IdeaFollow,
    IdeaSettings,
    IdeaSupport,
)
from tenants.models import AuditEntry, Collectivite
from tests.helpers import body
from tests.ideas_support import new_idea, reload
from tests.mutual_aid_support import new_resident

pytestmark = pytest.mark.django_db


def _answer(client: Client, idea: Idea, status: str, text: str) -> Any:
    url = reverse("ideas_staff:answer", args=[idea.pk])
    return client.post(url, {"status": status, "text": text})


def test_an_answer_changes_the_status_shows_on_top_and_tells_author_and_followers(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    moderator_a: User,
    resident_a: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with schema_context(town_a.schema_name):
        follower = new_resident()
    idea = new_idea(town_a, author=resident_a)
    with schema_context(town_a.schema_name):
        IdeaFollow.objects.create(idea=idea, user=follower)
    client = client_for(town_a, moderator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _answer(client, idea, "under_study", "Nous regardons le carrefour.")
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        assert reload(town_a, idea).status == Idea.Status.UNDER_STUDY
        told = set(
            Notification.objects.filter(kind="ideas.answer").values_list("recipient_id", flat=True)
        )
        assert told == {resident_a.pk, follower.pk}
        entry = AuditEntry.objects.get(action="idea.answer")
        assert (entry.before, entry.after) == ({"status": "submitted"}, {"status": "under_study"})
    assert len(mail.outbox) == 2
    page = body(client_for(town_a, resident_a).get(reverse("ideas:detail", args=[idea.pk])))
    assert page.index("La réponse de la collectivité") < page.index(idea.description[:20])
    assert "Nous regardons le carrefour." in page


def test_not_retained_needs_a_public_reason(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User
) -> None:
    idea = new_idea(town_a)
    response = _answer(client_for(town_a, moderator_a), idea, "not_retained", "  ")
    assert response.status_code == 400
    assert "Expliquez pourquoi l’idée n’est pas retenue" in body(response)
    assert reload(town_a, idea).status == Idea.Status.SUBMITTED
    with schema_context(town_a.schema_name):
        assert not IdeaAnswer.objects.exists()
        assert not Notification.objects.filter(kind="ideas.answer").exists()


def test_the_workflow_refuses_a_jump(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User
) -> None:
    idea = new_idea(town_a)
    response = _answer(client_for(town_a, moderator_a), idea, "done", "Fait.")
    assert response.status_code == 400
    assert reload(town_a, idea).status == Idea.Status.SUBMITTED


def test_the_whole_workflow(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User
) -> None:
    idea = new_idea(town_a)
    client = client_for(town_a, moderator_a)
    for status in ("under_study", "accepted", "in_progress", "done"):
        assert _answer(client, idea, status, f"Étape {status}").status_code == 302
    with schema_context(town_a.schema_name):
        assert list(
            IdeaAnswer.objects.filter(idea=idea).order_by("pk").values_list("status", flat=True)
        ) == ["under_study", "accepted", "in_progress", "done"]


def test_a_resident_cannot_answer(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a, author=resident_a)
    response = _answer(client_for(town_a, resident_a), idea, "accepted", "Oui")
    assert response.status_code == 403
    assert reload(town_a, idea).status == Idea.Status.SUBMITTED


# --- Merging ------------------------------------------------------------------------------


def test_merging_carries_supports_once_and_followers_and_tells_both_authors(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    moderator_a: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with schema_context(town_a.schema_name):
        both, only_dup, only_keep, follower = (new_resident() for _n in range(4))
    duplicate = new_idea(town_a, title="Doublon", support_count=2)
    kept = new_idea(town_a, title="Gardée", support_count=2)
    with schema_context(town_a.schema_name):
        for user in (both, only_dup):
            IdeaSupport.objects.create(idea=duplicate, user=user)
        for user in (both, only_keep):
            IdeaSupport.objects.create(idea=kept, user=user)
        IdeaFollow.objects.create(idea=duplicate, user=follower)
    client = client_for(town_a, moderator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ideas_staff:merge", args=[duplicate.pk]),
            {"merge-into": kept.pk, "merge-text": ""},
        )
    assert response.status_code == 302
    kept_now, duplicate_now = reload(town_a, kept), reload(town_a, duplicate)
    assert kept_now.support_count == 3  # both, only_dup, only_keep: "both" counted once
    assert (duplicate_now.status, duplicate_now.merged_into_id) == (Idea.Status.MERGED, kept.pk)
    with schema_context(town_a.schema_name):
        assert IdeaFollow.objects.filter(idea=kept, user=follower).exists()
        told = set(
            Notification.objects.filter(kind="ideas.answer").values_list("recipient_id", flat=True)
        )
        assert told == {duplicate.author_id, kept.author_id}
        assert AuditEntry.objects.get(action="idea.merge").after["supports_carried"] == 1
    page = body(client_for(town_a, moderator_a).get(reverse("ideas:detail", args=[duplicate.pk])))
    assert "Cette idée a été fusionnée avec une autre" in page
    assert reverse("ideas:detail", args=[kept.pk]) in page


def test_merging_into_itself_or_a_merged_idea_is_refused(
    client_for: Callable[..., Client], town_a: Collectivite, moderator_a: User
) -> None:
    idea = new_idea(town_a)
    merged = new_idea(town_a, status=Idea.Status.MERGED)
    client = client_for(town_a, moderator_a)
    url = reverse("ideas_staff:merge", args=[idea.pk])
    assert "avec elle-même" in body(client.post(url, {"merge-into": idea.pk}))
    assert "déjà fusionnée dans une autre" in body(client.post(url, {"merge-into": merged.pk}))
    assert "Aucune idée ne porte ce numéro" in body(client.post(url, {"merge-into": 999999}))
    assert reload(town_a, idea).status == Idea.Status.SUBMITTED


# --- The town's settings ------------------------------------------------------------------


def test_admins_add_rename_and_switch_off_categories(
    client_for: Callable[..., Client], town_a: Collectivite, admin_a: User
) -> None:
    client = client_for(town_a, admin_a)
    url = reverse("ideas_staff:categories")
    assert client.post(url, {"new-name": "Numérique", "new-position": "3"}).status_code == 302
    with schema_context(town_a.schema_name):
        category = IdeaCategory.objects.get(name="Numérique")
    edit = reverse("ideas_staff:category_edit", args=[category.pk])
    assert client.post(edit, {"name": "Internet", "position": "1"}).status_code == 302
    with schema_context(town_a.schema_name):
        category.refresh_from_db()
        assert (category.name, category.position, category.enabled) == ("Internet", 1, False)
        assert AuditEntry.objects.filter(action__startswith="idea_category.").count() == 2
    taken = client.post(url, {"new-name": "internet", "new-position": "0"})
    assert "Une catégorie porte déjà ce nom." in body(taken)


def test_admins_set_the_threshold_default_50(
    client_for: Callable[..., Client], town_a: Collectivite, admin_a: User
) -> None:
    with schema_context(town_a.schema_name):
        assert IdeaSettings.load().support_threshold == 50
    client = client_for(town_a, admin_a)
    url = reverse("ideas_staff:categories")
    bad = client.post(url, {"threshold-support_threshold": "0"})
    assert "Indiquez un nombre d’au moins 1." in body(bad)
    assert client.post(url, {"threshold-support_threshold": "20"}).status_code == 302
    with schema_context(town_a.schema_name):
        assert IdeaSettings.load().support_threshold == 20
        assert AuditEntry.objects.filter(action="idea_settings.change").count() == 1
