"""Two submits at the same instant, from two threads with their own connections: one request,
and for the same person the same link twice; for two communes and one address, one of them.

What the threads share must be committed: these tests commit their setup and remove it after.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import connections
from django.test import Client

from onboarding.models import SignupRequest, SiteClaim
from tests.directory_sample import load_directory_sample, remove_directory_sample
from tests.onboarding_support import TRIAL_FORM, confirmation_link


@pytest.fixture
def committed_directory(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_directory_sample()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            SiteClaim.objects.filter(official_code__in=["78152", "91226"]).delete()
            SignupRequest.objects.filter(official_code__in=["78152", "91226"]).delete()
            remove_directory_sample()


def _at_once(django_db_blocker: Any, *posts: Callable[[], Any]) -> list[Any]:
    """Run the posts in threads released together; their responses, in the posts' order."""
    start = threading.Barrier(len(posts))
    responses: list[Any] = [None] * len(posts)

    def run(index: int) -> None:
        try:
            start.wait(timeout=10)
            responses[index] = posts[index]()
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return responses


def _post(code: str, **changes: str) -> Callable[[], Any]:
    def post() -> Any:
        client = Client(HTTP_HOST=settings.ROOT_DOMAIN)
        return client.post(f"/essai/commune/{code}/", {**TRIAL_FORM, **changes})

    return post


@pytest.mark.parametrize("attempt", range(3))
def test_two_quick_submits_by_one_person_make_one_request_and_one_link(
    committed_directory: None, django_db_blocker: Any, attempt: int
) -> None:
    mail.outbox.clear()
    responses = _at_once(django_db_blocker, _post("78152"), _post("78152"))
    assert [r.status_code for r in responses] == [302, 302]
    with django_db_blocker.unblock():
        assert SignupRequest.objects.filter(official_code="78152").count() == 1
    links = {confirmation_link(str(message.body)) for message in mail.outbox}
    assert len(mail.outbox) == 2 and len(links) == 1


@pytest.mark.parametrize("attempt", range(3))
def test_two_communes_asking_for_one_address_at_once_get_it_once(
    committed_directory: None, django_db_blocker: Any, attempt: int
) -> None:
    mail.outbox.clear()
    responses = _at_once(
        django_db_blocker,
        _post("78152", slug="placette-78"),
        _post("91226", slug="placette-78", email="maire@etrechy.fr"),
    )
    assert sorted(r.status_code for r in responses) == [302, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert "prise pour l’instant" in refused.content.decode()
    with django_db_blocker.unblock():
        assert SignupRequest.objects.filter(slug="placette-78").count() == 1
    assert len(mail.outbox) == 1


def test_two_people_asking_for_one_commune_at_once_make_a_request_and_a_claim(
    committed_directory: None, django_db_blocker: Any
) -> None:
    mail.outbox.clear()
    responses = _at_once(
        django_db_blocker,
        _post("78152"),
        _post("78152", email="dgs@chavenay.fr", slug="chavenay-78"),
    )
    assert sorted(r["Location"] for r in responses) == [
        "/essai/demande-enregistree/",
        "/essai/envoye/",
    ]
    with django_db_blocker.unblock():
        assert SignupRequest.objects.filter(official_code="78152").count() == 1
        assert SiteClaim.objects.filter(official_code="78152").count() == 1
