"""Claiming a commune: a site opens at once, unverified unless the signer writes from the
collectivité's official domain; a second claim is recorded and flagged, never refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from onboarding import claims
from onboarding.models import OfficialEmailDomain, SignupRequest, SiteClaim
from tenants.models import AuditEntry, Collectivite
from tests.directory_sample import load_directory_sample
from tests.helpers import body
from tests.onboarding_support import ask_for_trial, confirmation_link, open_site

pytestmark = pytest.mark.django_db

CLAIM = {
    "signer_name": "Paul Durand",
    "signer_role": "maire",
    "email": "maire@chavenay.fr",
    "phone": "01 30 54 11 11",
    "message": "Je suis le maire, élu en mars.",
}


@pytest.fixture(autouse=True)
def sample(db: None) -> None:
    load_directory_sample()


def _official(domain: str, code: str = "78152") -> OfficialEmailDomain:
    return OfficialEmailDomain.objects.create(kind="commune", official_code=code, domain=domain)


def _ops_mail() -> list[Any]:
    return [message for message in mail.outbox if message.to == [settings.OPS_EMAIL]]


def _queued_chavenay() -> list[claims.QueueItem]:
    return [item for item in claims.queue() if item.official_code == "78152"]


def _claim(capture: Any, **changes: str) -> Any:
    with capture(execute=True):
        return Client(HTTP_HOST=settings.ROOT_DOMAIN).post(
            "/essai/commune/78152/revendiquer/", {**CLAIM, **changes}
        )


# --- Opening a site -----------------------------------------------------------------------


def test_a_signer_off_the_official_domain_opens_an_unverified_site_and_our_staff_hear_of_it(
    django_capture_on_commit_callbacks,
) -> None:
    town = open_site(django_capture_on_commit_callbacks, email="claire.martin@gmail.com")
    assert town.is_serving and town.verified_at is None and town.verified_via == ""
    [ops] = _ops_mail()
    assert ops.subject == "[ops] Nouveau site à vérifier : Chavenay"
    assert "claire.martin@gmail.com" in str(ops.body) and "verify_claim --tenant chavenay" in str(
        ops.body
    )
    [item] = _queued_chavenay()
    assert item.signup is not None
    assert (item.town, item.signup.email, item.claims) == (town, "claire.martin@gmail.com", [])


def test_a_signer_on_a_known_official_domain_is_verified_at_once(
    django_capture_on_commit_callbacks,
) -> None:
    _official("chavenay.fr")
    town = open_site(django_capture_on_commit_callbacks, email="secretariat@mairie.chavenay.fr")
    assert town.verified_at is not None
    assert town.verified_via == Collectivite.Verification.OFFICIAL_EMAIL
    entry = AuditEntry.objects.get(collectivite=town, action="collectivite.verify")
    assert entry.actor_id is None and "official domain" in entry.reason
    assert _ops_mail() == []
    assert _queued_chavenay() == []


def test_a_domain_of_another_collectivite_verifies_nothing(
    django_capture_on_commit_callbacks,
) -> None:
    _official("chavenay.fr", code="78206")  # Feucherolles' domain, say
    _official("avenay.fr")  # a suffix, not a parent domain
    town = open_site(django_capture_on_commit_callbacks, email="maire@chavenay.fr")
    assert town.verified_at is None


def test_the_dashboard_says_an_unverified_site_is_being_checked(
    django_capture_on_commit_callbacks, client_for, admin_a, town_a
) -> None:
    page = body(client_for(town_a, admin_a).get("/administration/"))
    assert "Votre site n’est pas encore vérifié" in page
    assert "notre équipe appelle la mairie" in page
    town_a.verified_at = timezone.now()
    town_a.save(update_fields=["verified_at"])
    assert "pas encore vérifié" not in body(client_for(town_a, admin_a).get("/administration/"))


def test_search_engines_wait_until_a_site_is_verified(client_for, town_a, town_b) -> None:
    town_a.verified_at = timezone.now()
    town_a.save(update_fields=["verified_at"])
    assert 'name="robots"' not in body(client_for(town_a).get("/"))
    assert '<meta name="robots" content="noindex">' in body(client_for(town_b).get("/"))
    assert 'name="robots"' not in body(Client(HTTP_HOST=settings.ROOT_DOMAIN).get("/"))


def test_only_the_unverified_town_shows_the_notice(client_for, admin_a, admin_b, town_a, town_b):
    town_a.verified_at = timezone.now()
    town_a.save(update_fields=["verified_at"])
    assert "pas encore vérifié" not in body(client_for(town_a, admin_a).get("/administration/"))
    assert "pas encore vérifié" in body(client_for(town_b, admin_b).get("/administration/"))


# --- A second claim -----------------------------------------------------------------------


def test_a_second_claim_on_an_unverified_site_is_recorded_and_flagged(
    django_capture_on_commit_callbacks,
) -> None:
    town = open_site(django_capture_on_commit_callbacks, email="claire.martin@gmail.com")
    public = Client(HTTP_HOST=settings.ROOT_DOMAIN)
    page = body(public.get("/essai/commune/78152/"))
    assert "Chavenay (78) a déjà un site, en cours de vérification" in page
    assert 'action="/essai/commune/78152/revendiquer/"' in page
    mail.outbox.clear()

    response = _claim(django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/essai/demande-enregistree/"
    claim = SiteClaim.objects.get()
    assert (claim.collectivite, claim.email, claim.status) == (town, "maire@chavenay.fr", "open")
    assert claim.message == "Je suis le maire, élu en mars." and not claim.on_official_domain
    [ops] = _ops_mail()
    assert ops.subject == f"[ops] Deuxième demande (n° {claim.pk}) pour Chavenay"
    assert "claire.martin@gmail.com" in str(ops.body) and "maire@chavenay.fr" in str(ops.body)
    assert f"transfer_site --tenant chavenay --claim {claim.pk}" in str(ops.body)
    # Nothing changed on the site: its admin is still the first signer.
    with schema_context(town.schema_name):
        assert list(User.objects.values_list("email", "role")) == [
            ("claire.martin@gmail.com", "admin")
        ]


def test_the_second_claimant_is_told_plainly_what_happens_next(
    django_capture_on_commit_callbacks,
) -> None:
    open_site(django_capture_on_commit_callbacks, email="claire.martin@gmail.com")
    client = Client(HTTP_HOST=settings.ROOT_DOMAIN)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/essai/commune/78152/revendiquer/", CLAIM)
    page = body(client.get("/essai/demande-enregistree/"))
    assert "Chavenay a déjà un site, chavenay.localhost, que notre équipe est en train" in page
    assert "Notre équipe vous contactera à <strong>maire@chavenay.fr</strong>" in page
    # Another visitor does not see this claim.
    other = Client(HTTP_HOST=settings.ROOT_DOMAIN).get("/essai/demande-enregistree/")
    assert other.status_code == 302 and "maire@chavenay.fr" not in body(other)


def test_claiming_again_updates_the_same_claim_without_flagging_it_twice(
    django_capture_on_commit_callbacks,
) -> None:
    open_site(django_capture_on_commit_callbacks, email="claire.martin@gmail.com")
    _claim(django_capture_on_commit_callbacks)
    mail.outbox.clear()
    _claim(django_capture_on_commit_callbacks, phone="06 11 22 33 44", email="Maire@Chavenay.fr")
    claim = SiteClaim.objects.get()
    assert claim.phone == "06 11 22 33 44"
    assert _ops_mail() == []


def test_a_claim_from_the_official_domain_is_flagged_as_such(
    django_capture_on_commit_callbacks,
) -> None:
    open_site(django_capture_on_commit_callbacks, email="claire.martin@gmail.com")
    _official("chavenay.fr")
    mail.outbox.clear()
    _claim(django_capture_on_commit_callbacks)
    assert SiteClaim.objects.get().on_official_domain
    assert "est sur un domaine officiel" in str(_ops_mail()[0].body)


def test_the_sites_own_admin_claiming_it_is_told_to_log_in(
    django_capture_on_commit_callbacks,
) -> None:
    open_site(django_capture_on_commit_callbacks, email="claire.martin@gmail.com")
    response = _claim(django_capture_on_commit_callbacks, email="claire.martin@gmail.com")
    assert response.status_code == 400
    assert "administre déjà le site de Chavenay" in body(response)
    assert 'value="Paul Durand"' in body(response)
    assert not SiteClaim.objects.exists()


def test_the_trial_form_of_a_second_person_is_a_claim_too(
    django_capture_on_commit_callbacks,
) -> None:
    """The site appeared between their page and their submit: the form becomes a claim."""
    town = open_site(django_capture_on_commit_callbacks, email="claire.martin@gmail.com")
    response = ask_for_trial(
        django_capture_on_commit_callbacks, email="dgs@chavenay.fr", slug="chavenay-78"
    )
    assert response["Location"] == "/essai/demande-enregistree/"
    assert SiteClaim.objects.get().collectivite == town
    assert SignupRequest.objects.count() == 1


def test_a_second_person_while_the_first_request_waits_is_recorded(
    django_capture_on_commit_callbacks,
) -> None:
    ask_for_trial(django_capture_on_commit_callbacks, email="claire.martin@gmail.com")
    first = SignupRequest.objects.get()
    mail.outbox.clear()
    response = ask_for_trial(
        django_capture_on_commit_callbacks, email="dgs@chavenay.fr", slug="chavenay-78"
    )
    assert response["Location"] == "/essai/demande-enregistree/"
    claim = SiteClaim.objects.get()
    assert (claim.competes_with, claim.collectivite, claim.email) == (
        first,
        None,
        "dgs@chavenay.fr",
    )
    assert SignupRequest.objects.count() == 1  # no second link went out
    assert [m.to for m in mail.outbox] == [[settings.OPS_EMAIL]]
    assert "pas encore de site" in str(mail.outbox[0].body)
    page = body(Client(HTTP_HOST=settings.ROOT_DOMAIN).get("/essai/commune/78152/"))
    assert "Étape 2 sur 3" in page  # the page itself still offers the form


def test_a_claim_made_while_waiting_joins_the_site_once_it_opens(
    django_capture_on_commit_callbacks,
) -> None:
    ask_for_trial(django_capture_on_commit_callbacks, email="claire.martin@gmail.com")
    link = mail.outbox[-1].body
    ask_for_trial(django_capture_on_commit_callbacks, email="dgs@chavenay.fr")
    with django_capture_on_commit_callbacks(execute=True):
        Client(HTTP_HOST=settings.ROOT_DOMAIN).post(confirmation_link(str(link)))
    town = Collectivite.objects.get(slug="chavenay")
    assert SiteClaim.objects.get().collectivite == town
    [item] = _queued_chavenay()
    assert item.town == town and [c.email for c in item.claims] == ["dgs@chavenay.fr"]


def test_a_verified_site_offers_to_write_to_its_admins_not_to_claim_it(
    django_capture_on_commit_callbacks,
) -> None:
    _official("chavenay.fr")
    open_site(django_capture_on_commit_callbacks, email="maire@chavenay.fr")
    page = body(Client(HTTP_HOST=settings.ROOT_DOMAIN).get("/essai/commune/78152/"))
    assert "est déjà sur Placette" in page and "revendiquer" not in page
    late = _claim(django_capture_on_commit_callbacks, email="autre@chavenay.fr")
    assert late.status_code == 302 and late["Location"] == "/essai/commune/78152/"
    assert not SiteClaim.objects.exists()


def test_bad_claims_are_explained_and_keep_what_was_typed(
    django_capture_on_commit_callbacks,
) -> None:
    open_site(django_capture_on_commit_callbacks, email="claire.martin@gmail.com")
    response = _claim(django_capture_on_commit_callbacks, phone="12", signer_role="autre")
    assert response.status_code == 400
    assert "Indiquez un numéro de téléphone" in body(response)
    assert "Précisez votre fonction" in body(response)
    assert 'value="Paul Durand"' in body(response)
    assert not SiteClaim.objects.exists()


def test_claiming_an_unknown_collectivite_or_one_without_a_site_is_a_404() -> None:
    public = Client(HTTP_HOST=settings.ROOT_DOMAIN)
    assert public.post("/essai/commune/00000/revendiquer/", CLAIM).status_code == 404
    assert public.post("/essai/commune/78152/revendiquer/", CLAIM).status_code == 404
    assert public.get("/essai/commune/78152/revendiquer/").status_code == 405
