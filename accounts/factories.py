"""Test data for people: residents, moderators and admins of the active town schema."""

from __future__ import annotations

from typing import Any

import factory

from accounts.models import User
from accounts.services import create_member

TEST_PASSWORD = "un-mot-de-passe-solide"  # noqa: S105  (test data)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("first_name", locale="fr_FR")
    role = User.Role.RESIDENT

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return create_member(password=TEST_PASSWORD, **kwargs)


class ModeratorFactory(UserFactory):
    role = User.Role.MODERATOR


class AdminFactory(UserFactory):
    role = User.Role.ADMIN
