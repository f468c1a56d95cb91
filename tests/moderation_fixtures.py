"""A kind of content for moderation's tests: a note, hideable, with a table made per test.

Mutual aid's posts and messages are not in this app; the note stands for them, registered
through the same registry. Its table is made inside the test's transaction, so it goes with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.db import connection, models
from django_tenants.utils import schema_context

from accounts.factories import ModeratorFactory, UserFactory
from accounts.models import User
from tenants.models import Collectivite
from townsite.models import Moderated
from townsite.moderation import registry
from townsite.moderation.models import ModeratedQuerySet


class Note(Moderated):
    # DO_NOTHING and no database constraint: deleting a user in any other test never looks
    # for a table that exists only during these tests.
    author = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    hidden_by = models.ForeignKey(
        User, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    text = models.CharField(max_length=500)
    private = models.BooleanField(default=False)

    objects = ModeratedQuerySet.as_manager()

    class Meta:
        app_label = "townsite"
        managed = False
        db_table = "test_moderation_note"


@pytest.fixture
def note_kind(town_a: Collectivite, town_b: Collectivite) -> Iterator[registry.Kind]:
    for town in (town_a, town_b):
        with schema_context(town.schema_name), connection.schema_editor() as editor:
            editor.create_model(Note)
    kind = registry.register(
        Note,
        key="note",
        label="note",
        author=lambda note: note.author,
        excerpt=lambda note: note.text,
        url=lambda note: f"/notes/{note.pk}/",
        authored_by=lambda user: Note.objects.filter(author=user),
        can_report=lambda user, note: not note.private,
    )
    yield kind
    registry.unregister("note")


def make_note(town: Collectivite, author: User, text: str = "Une note", **fields: Any) -> Note:
    with schema_context(town.schema_name):
        return Note.objects.create(author=author, text=text, **fields)


def person(**fields: Any) -> User:
    """A resident of the active schema, typed as the User it is."""
    return cast(User, UserFactory(**fields))


def moderator(**fields: Any) -> User:
    return cast(User, ModeratorFactory(**fields))
