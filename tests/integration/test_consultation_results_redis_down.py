"""Redis stops: the results pages still answer, counted from the database, and an answer sent
meanwhile is saved (its cache bump fails soft)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from participation.consultations import answering
from participation.consultations.factories import ResponseFactory
from participation.consultations.models import Consultation
from tests.consultation_support import closed_fields, every_kind
from tests.helpers import body
from tests.integration.test_redis_down import down, redis_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_the_results_pages_answer_without_redis(
    down,  # noqa: F811
    client_for,
    town_a,
    admin_a,
) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(**closed_fields())
        Consultation.objects.filter(pk=consultation.pk).update(
            results_published_at=consultation.closes_at
        )
        for _n in range(2):
            ResponseFactory.create(
                consultation=consultation,
                respondent=UserFactory.create(),
                answers={str(q["single"].pk): "À pied"},
            )
    staff = client_for(town_a, admin_a).get(
        f"/administration/consultations/{consultation.pk}/resultats/"
    )
    assert staff.status_code == 200 and "2 réponses en tout." in body(staff)
    public = client_for(town_a).get(f"/consultations/{consultation.key}/resultats/")
    assert public.status_code == 200 and "2 réponses en tout." in body(public)


def test_an_answer_is_saved_without_redis(
    down,  # noqa: F811
    town_a,
    resident_a,
    django_capture_on_commit_callbacks,
) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind()
        with django_capture_on_commit_callbacks(execute=True):
            _response, created = answering.submit_answer(
                consultation,
                user=resident_a,
                browser_key="",
                answers={str(q["single"].pk): "À vélo"},
            )
        assert created and consultation.responses.count() == 1
