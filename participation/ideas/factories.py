"""Test and demo data for the idea box, in the active town schema."""

from __future__ import annotations

import factory

from accounts.factories import UserFactory
from participation.ideas.models import Idea, IdeaCategory, IdeaComment, IdeaSupport


def idea_category(slug: str = "autre") -> IdeaCategory:
    """A seeded category (every schema has them from migration 0002_ideas)."""
    return IdeaCategory.objects.get(slug=slug)


class IdeaFactory(factory.django.DjangoModelFactory[Idea]):
    class Meta:
        model = Idea

    author = factory.SubFactory(UserFactory)
    category = factory.LazyFunction(idea_category)
    title = factory.Sequence(lambda n: f"Idée n° {n}")
    description = "Un banc de plus près de l'école."


class IdeaCommentFactory(factory.django.DjangoModelFactory[IdeaComment]):
    class Meta:
        model = IdeaComment

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Commentaire n° {n}")


class IdeaSupportFactory(factory.django.DjangoModelFactory[IdeaSupport]):
    class Meta:
        model = IdeaSupport

    idea = factory.SubFactory(IdeaFactory)
    user = factory.SubFactory(UserFactory)
