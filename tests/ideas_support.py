"""Shared by the idea box suites: ideas made in a town's schema, what a resident types."""

from __future__ import annotations

from typing import Any, cast

from django_tenants.utils import schema_context

from accounts.models import User
from participation.ideas.factories import IdeaCommentFactory, IdeaFactory, idea_category
from participation.ideas.models import Idea, IdeaComment
from tenants.models import Collectivite


def new_idea(town: Collectivite, **fields: Any) -> Idea:
    with schema_context(town.schema_name):
        return cast(Idea, IdeaFactory(**fields))


def new_comment(town: Collectivite, **fields: Any) -> IdeaComment:
    with schema_context(town.schema_name):
        return cast(IdeaComment, IdeaCommentFactory(**fields))


def idea_form(town: Collectivite, **overrides: Any) -> dict[str, Any]:
    """What a resident types in the idea form."""
    with schema_context(town.schema_name):
        category = idea_category("voirie-deplacements").pk
    data: dict[str, Any] = {
        "title": "Un passage piéton devant l'école",
        "description": "Les enfants traversent sans passage protégé le matin.",
        "category": category,
        "image_description": "",
    }
    data.update(overrides)
    return data


def reload(town: Collectivite, idea: Idea) -> Idea:
    with schema_context(town.schema_name):
        return Idea.objects.get(pk=idea.pk)


def as_user(town: Collectivite, user: User) -> User:
    with schema_context(town.schema_name):
        return User.objects.get(pk=user.pk)
