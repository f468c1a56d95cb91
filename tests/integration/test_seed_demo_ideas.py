"""The demo towns' idea box: a dozen ideas at every status, supported, discussed and answered
by the town, seen on the list; and running the demo twice adds nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from accounts.models import User
from participation.ideas.models import Idea, IdeaAnswer, IdeaComment, IdeaSupport
from tenants.models import Collectivite
from tests.directory_sample import load_directory_sample
from tests.helpers import body

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Idea, IdeaSupport, IdeaComment)}


def test_the_demo_towns_get_a_dozen_ideas_at_every_status_once(
    settings: Any, tmp_path: Path, client_for: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    load_directory_sample()
    call_command("seed_demo", stdout=io.StringIO())
    chavenay = Collectivite.objects.get(slug="chavenay")
    with schema_context(chavenay.schema_name):
        first = _counts()
        assert first["Idea"] == 12
        statuses = set(Idea.objects.values_list("status", flat=True))
        assert statuses == set(Idea.Status.values) - {Idea.Status.MERGED}
        # The kept counts agree with the rows the services wrote.
        for idea in Idea.objects.all():
            assert idea.support_count == idea.supports.count() > 0
            assert idea.comment_count == idea.comments.count()
        # Every answered idea says why, as the town would, from its administration.
        answered = Idea.objects.exclude(status=Idea.Status.SUBMITTED)
        assert not answered.filter(answers__isnull=True).exists()
        assert set(IdeaAnswer.objects.values_list("author__role", flat=True)) == {User.Role.ADMIN}
        assert (
            Idea.objects.filter(status=Idea.Status.SUBMITTED, answered_at__isnull=False).count()
            == 0
        )
        resident = User.objects.get(email="camille@chavenay.example")
    page = body(client_for(chavenay, resident).get("/idees/"))
    assert "Un repas des voisins en juin" in page
    call_command("seed_demo", stdout=io.StringIO())
    with schema_context(chavenay.schema_name):
        assert _counts() == first
