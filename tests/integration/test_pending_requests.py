"""A waiting sign-up request holds its collectivité and its address; the same person asking
again gets the same link again, derived from a stored nonce, never stored in clear."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from accounts import tokens
from onboarding import services
from onboarding.models import SignupRequest
from tenants.models import Collectivite
from tests.directory_sample import load_directory_sample
from tests.helpers import body
from tests.onboarding_support import TRIAL_FORM, ask_for_trial, confirmation_link

pytestmark = pytest.mark.django_db

ETRECHY = "91226"


@pytest.fixture(autouse=True)
def sample(db: None) -> None:
    load_directory_sample()


def _links() -> list[str]:
    return [confirmation_link(str(message.body)) for message in mail.outbox]


def test_a_second_submit_by_the_same_person_sends_the_same_link(
    django_capture_on_commit_callbacks,
) -> None:
    mail.outbox.clear()
    ask_for_trial(django_capture_on_commit_callbacks)
    client = Client(HTTP_HOST=settings.ROOT_DOMAIN)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post("/essai/commune/78152/", {**TRIAL_FORM, "email": "MAIRE@chavenay.fr"})
    assert again.status_code == 302
    first, second = _links()
    assert first == second
    assert SignupRequest.objects.count() == 1
    page = body(client.get(again["Location"]))
    assert "nous avons renvoyé le même lien à <strong>maire@chavenay.fr</strong>" in page
    # That one link creates the site.
    assert Client(HTTP_HOST=settings.ROOT_DOMAIN).post(first).status_code == 302
    assert Collectivite.objects.filter(slug="chavenay").exists()


def test_what_was_corrected_in_the_second_submit_is_kept(
    django_capture_on_commit_callbacks,
) -> None:
    ask_for_trial(django_capture_on_commit_callbacks)
    first_deadline = SignupRequest.objects.get().expires_at
    ask_for_trial(django_capture_on_commit_callbacks, phone="06 01 02 03 04", slug="chavenay-78")
    signup = SignupRequest.objects.get()
    assert (signup.phone, signup.slug) == ("06 01 02 03 04", "chavenay-78")
    assert signup.expires_at > first_deadline  # 48 hours from the last submit


def test_a_waiting_request_holds_its_address(django_capture_on_commit_callbacks) -> None:
    ask_for_trial(django_capture_on_commit_callbacks)
    mail.outbox.clear()
    taken = ask_for_trial(
        django_capture_on_commit_callbacks, code=ETRECHY, email="maire@etrechy.fr"
    )
    assert taken.status_code == 400
    assert "elle est prise pour l’instant" in body(taken)
    assert 'value="maire@etrechy.fr"' in body(taken)
    assert mail.outbox == []
    assert SignupRequest.objects.count() == 1


def test_an_expired_request_lets_go_of_what_it_held(
    django_capture_on_commit_callbacks, time_machine
) -> None:
    ask_for_trial(django_capture_on_commit_callbacks)
    old = SignupRequest.objects.get()
    time_machine.move_to(old.expires_at + timedelta(minutes=1))
    other = ask_for_trial(
        django_capture_on_commit_callbacks, code=ETRECHY, email="maire@etrechy.fr"
    )
    assert other.status_code == 302
    old.refresh_from_db()
    assert old.status == SignupRequest.Status.EXPIRED
    # Chavenay may ask again, by anyone: the old request holds nothing now.
    again = ask_for_trial(django_capture_on_commit_callbacks, email="dgs@chavenay.fr", slug="c78")
    assert again.status_code == 302 and again["Location"] == "/essai/envoye/"


def test_the_database_allows_one_waiting_request_per_collectivite_and_per_address(
    django_capture_on_commit_callbacks,
) -> None:
    ask_for_trial(django_capture_on_commit_callbacks)
    signup = SignupRequest.objects.get()
    for changes in ({"slug": "autre-adresse"}, {"official_code": ETRECHY}):
        copy = {
            field.name: getattr(signup, field.name)
            for field in SignupRequest._meta.concrete_fields
            if field.name not in ("id", "collectivite")
        }
        copy.update(changes, token_hash="another", nonce="another")
        with pytest.raises(IntegrityError), transaction.atomic():
            SignupRequest.objects.create(**copy)
    # Once confirmed or expired, it holds nothing.
    SignupRequest.objects.filter(pk=signup.pk).update(status=SignupRequest.Status.EXPIRED)
    ask_for_trial(django_capture_on_commit_callbacks, code=ETRECHY, email="maire@etrechy.fr")
    assert SignupRequest.objects.filter(status="pending").count() == 1


def test_the_link_is_not_stored_and_comes_from_the_nonce_and_the_key(
    django_capture_on_commit_callbacks, settings
) -> None:
    mail.outbox.clear()
    ask_for_trial(django_capture_on_commit_callbacks)
    token = _links()[0].rstrip("/").rsplit("/", 1)[-1]
    signup = SignupRequest.objects.get()
    assert token not in (signup.nonce, signup.token_hash)
    assert signup.token_hash == tokens.token_hash(token, purpose=services.TRIAL_PURPOSE)
    assert tokens.derived_token(signup.nonce, purpose=services.TRIAL_PURPOSE) == token
    # Without the key, the nonce gives another token.
    settings.SECRET_KEY = "another-key-" + "y" * 50
    assert tokens.derived_token(signup.nonce, purpose=services.TRIAL_PURPOSE) != token


def test_after_a_key_rotation_the_old_link_works_and_a_resend_sends_a_working_one(
    django_capture_on_commit_callbacks, settings
) -> None:
    mail.outbox.clear()
    ask_for_trial(django_capture_on_commit_callbacks)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-rotated-key-" + "z" * 50
    ask_for_trial(django_capture_on_commit_callbacks)
    old, new = _links()
    assert old != new
    assert services.find_request(old.rstrip("/").rsplit("/", 1)[-1]) is None
    assert Client(HTTP_HOST=settings.ROOT_DOMAIN).post(new).status_code == 302


def test_the_status_migration_keeps_the_newest_waiting_request(
    django_capture_on_commit_callbacks,
) -> None:
    """0003 gives each existing request its state before 0004 makes "one waiting" a rule."""
    with connection.cursor() as cursor:  # the rule is rolled back with the test
        cursor.execute('DROP INDEX "one_pending_request_per_collectivite"')
        cursor.execute('DROP INDEX "one_pending_request_per_slug"')
    now = timezone.now()
    common: dict[str, object] = {"kind": "commune", "name": "Chavenay", "signer_name": "C"}
    common |= {"signer_role": "maire", "email": "a@b.fr", "phone": "0102030405", "nonce": ""}
    common |= {"terms_version": "1", "dpa_version": "1", "accepted_terms_at": now}

    def make(code: str, slug: str, hours: int, **extra: object) -> SignupRequest:
        return SignupRequest.objects.create(
            official_code=code,
            slug=slug,
            token_hash=f"{code}-{slug}-{hours}",
            expires_at=now + timedelta(hours=hours),
            **common,
            **extra,
        )

    confirmed = make("78152", "chavenay", 40, confirmed_at=now)
    expired = make("78152", "chavenay", -1)
    older = make("78152", "chavenay", 10)
    newest = make("78152", "chavenay-78", 20)
    same_slug = make(ETRECHY, "chavenay-78", 5)
    free = make(ETRECHY, "etrechy", 30)
    SignupRequest.objects.filter(pk__in=[older.pk, same_slug.pk, free.pk]).update(
        created_at=now - timedelta(hours=1)
    )
    import_module("onboarding.migrations.0003_signup_request_status").set_status(apps, None)
    states = dict(SignupRequest.objects.values_list("pk", "status"))
    assert states == {
        confirmed.pk: "confirmed",
        expired.pk: "expired",
        older.pk: "expired",
        newest.pk: "pending",
        same_slug.pk: "expired",
        free.pk: "pending",
    }


def test_the_daily_purge_forgets_what_the_privacy_policy_says_we_do_not_keep(
    django_capture_on_commit_callbacks, time_machine
) -> None:
    from onboarding.models import SiteClaim
    from onboarding.tasks import purge_old_requests

    ask_for_trial(django_capture_on_commit_callbacks)  # never confirmed
    kept = ask_for_trial(django_capture_on_commit_callbacks, code=ETRECHY, slug="etrechy")
    assert kept.status_code == 302
    SignupRequest.objects.filter(official_code=ETRECHY).update(
        status="confirmed", confirmed_at=timezone.now()
    )
    settled = SiteClaim.objects.create(
        kind="commune",
        official_code="78152",
        name="Chavenay",
        claimant_name="P",
        claimant_role="maire",
        email="p@chavenay.fr",
        phone="0102030405",
        status=SiteClaim.Status.DISMISSED,
        resolved_at=timezone.now(),
    )
    open_claim = SiteClaim.objects.create(
        kind="commune",
        official_code="78152",
        name="Chavenay",
        claimant_name="Q",
        claimant_role="maire",
        email="q@chavenay.fr",
        phone="0102030405",
    )
    time_machine.move_to(timezone.now() + timedelta(days=29))
    assert purge_old_requests.delay().get() == {"requests": 0, "claims": 0}
    time_machine.move_to(timezone.now() + timedelta(days=3))  # 30 days after the link expired
    assert purge_old_requests.delay().get() == {"requests": 1, "claims": 0}
    assert list(SignupRequest.objects.values_list("official_code", flat=True)) == [ETRECHY]
    time_machine.move_to(timezone.now() + timedelta(days=340))
    assert purge_old_requests.delay().get() == {"requests": 0, "claims": 1}
    assert list(SiteClaim.objects.all()) == [open_claim]
    assert not SiteClaim.objects.filter(pk=settled.pk).exists()
