"""A resident's idea box data in their export, and their account's deletion: ideas and
comments stay signed "former resident", their supports go and the counts follow."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context

from accounts.models import User
from participation.ideas.models import IdeaSupport
from tenants.models import Collectivite
from tests.helpers import body
from tests.ideas_support import new_comment, new_idea, reload
from townsite.residents.export import build_export
from townsite.residents.services import delete_account

pytestmark = pytest.mark.django_db


def test_the_export_has_the_residents_ideas_comments_and_supports(
    town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a, author=resident_a, title="Mon idée à moi")
    other = new_idea(town_a, title="Celle d'un voisin")
    new_comment(town_a, idea=other, author=resident_a, body="Mon avis")
    with schema_context(town_a.schema_name):
        IdeaSupport.objects.create(idea=other, user=resident_a)
        section = build_export(User.objects.get(pk=resident_a.pk))["ideas"]
    assert [item["title"] for item in section["ideas"]] == [idea.title]
    assert [item["text"] for item in section["comments"]] == ["Mon avis"]
    assert [item["idea"] for item in section["supported"]] == ["Celle d'un voisin"]


def test_a_deleted_account_leaves_its_ideas_signed_former_resident_and_takes_its_supports(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, admin_a: User
) -> None:
    idea = new_idea(town_a, author=resident_a, title="Idée qui reste")
    supported = new_idea(town_a, support_count=2)
    with schema_context(town_a.schema_name):
        IdeaSupport.objects.create(idea=supported, user=resident_a)
        IdeaSupport.objects.create(idea=supported, user=admin_a)
        delete_account(User.objects.get(pk=resident_a.pk))
    assert reload(town_a, supported).support_count == 1
    assert reload(town_a, idea).author_id is None
    page = body(client_for(town_a, admin_a).get(reverse("ideas:detail", args=[idea.pk])))
    assert "Idée qui reste" in page
    assert "Ancien habitant" in page
