"""A collectivité signs up for a free trial: directory, form, email link, provisioning."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from accounts.models import User
from billing.models import BillingAccount
from onboarding import directory, services
from onboarding.models import SignupRequest
from tenants.models import Collectivite
from tests.directory_sample import GALLY_MAULDRE, load_directory_sample
from tests.onboarding_support import TRIAL_FORM
from townsite.models import Neighbourhood

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sample(db: None) -> None:
    load_directory_sample()


def _public() -> Client:
    return Client(HTTP_HOST=settings.ROOT_DOMAIN)


FORM = {**TRIAL_FORM, "email": "Maire@Chavenay.fr"}


@pytest.fixture
def submit(django_capture_on_commit_callbacks: Any) -> Callable[..., str]:
    """Submit the form; return the confirmation link's path from the email sent on commit."""

    def run(client: Client, kind: str = "commune", code: str = "78152", **changes: str) -> str:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/essai/{kind}/{code}/", {**FORM, **changes})
        assert response.status_code == 302, response.content.decode()[:3000]
        assert response["Location"] == "/essai/envoye/"
        link = re.search(r"https?://[^/\s]+(/essai/confirmer/\S+/)", str(mail.outbox[-1].body))
        assert link
        return link.group(1)

    return run


@pytest.mark.parametrize("query", ["chavenay", "CHAVENAY", "Chavenay ", "78450", "78152"])
def test_the_directory_finds_a_commune_by_name_postcode_or_insee(query: str) -> None:
    assert [e.code for e in directory.search(query).entries][:1] == ["78152"]


def test_search_ignores_accents_and_shows_homonyms_with_their_departement() -> None:
    assert [e.name for e in directory.search("etrechy").entries] == ["Étréchy"]
    labels = [e.label for e in directory.search("saint martin").entries]
    assert "Saint-Martin (32)" in labels and "Saint-Martin (66)" in labels
    epcis = directory.search("gally").entries
    assert epcis[0].is_intercommunalite and epcis[0].member_count == 3


def test_the_search_page_works_without_javascript_and_with_htmx() -> None:
    page = _public().get("/essai/", {"q": "chavenay"}).content.decode()
    assert "Chavenay (78)" in page and "<html" in page
    partial = _public().get("/essai/", {"q": "chavenay"}, HTTP_HX_REQUEST="true")
    assert "Chavenay (78)" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    empty = _public().get("/essai/", {"q": "zzzz"}).content.decode()
    assert "Aucune commune ni intercommunalité ne correspond" in empty


def test_homonyms_get_the_departement_in_their_proposed_address() -> None:
    entry = directory.find("commune", "32398")
    assert entry is not None
    assert services.proposed_slug(entry) == "saint-martin-32"
    chavenay = directory.find("commune", "78152")
    assert chavenay is not None and services.proposed_slug(chavenay) == "chavenay"
    gally = directory.find("epci", GALLY_MAULDRE)
    assert gally is not None and services.proposed_slug(gally) == "gally-mauldre"


def test_a_trial_sign_up_from_form_to_new_site(submit, town_a: Collectivite) -> None:
    client = _public()
    assert 'value="chavenay"' in client.get("/essai/commune/78152/").content.decode()
    link = submit(client)
    assert "chavenay.localhost" in str(mail.outbox[-1].body)
    assert not Collectivite.objects.filter(slug="chavenay").exists()  # nothing before the link

    assert client.get(link).status_code == 200  # a button: mail scanners create nothing
    assert not Collectivite.objects.filter(slug="chavenay").exists()
    response = client.post(link)
    assert response.status_code == 302
    welcome = response["Location"]
    assert welcome.startswith("http://chavenay.localhost:")

    town = Collectivite.objects.get(slug="chavenay")
    assert town.status == Collectivite.Status.READY and town.official_code == "78152"
    assert town.population == 1723 and town.siren == "217801521"
    assert BillingAccount.objects.get(collectivite=town).status == "trialing"
    with schema_context(town.schema_name):
        admin = User.objects.get()
        assert admin.email == "maire@chavenay.fr" and admin.role == User.Role.ADMIN
        assert EmailAddress.objects.get(user=admin).verified
    for other in ("public", town_a.schema_name):
        with schema_context(other):
            assert not User.objects.filter(email="maire@chavenay.fr").exists()

    # The welcome link is unknown on another town's site (404), though an account of the same
    # id lives there: it logs nobody in, and it is not used up.
    path = urlparse(welcome).path
    with schema_context(town_a.schema_name):
        assert User.objects.filter(pk=admin.pk).exists()
    elsewhere = Client(HTTP_HOST=town_a.primary_host)
    assert elsewhere.get(path).status_code == 404
    assert not elsewhere.get("/").wsgi_request.user.is_authenticated

    # On the new site it logs the signer in, once, and asks for a password first.
    newcomer = Client(HTTP_HOST="chavenay.localhost")
    landing = newcomer.get(path)
    assert landing.status_code == 302 and landing["Location"] == "/bienvenue/mot-de-passe/"
    assert getattr(newcomer.get("/").wsgi_request.user, "email", "") == "maire@chavenay.fr"
    assert Client(HTTP_HOST="chavenay.localhost").get(path).status_code == 410

    again = client.post(link)
    assert again.status_code == 410
    assert "déjà été utilisé" in again.content.decode()
    assert Collectivite.objects.filter(official_code="78152").count() == 1


def test_an_intercommunalite_gets_its_member_communes(submit) -> None:
    client = _public()
    link = submit(client, kind="epci", code=GALLY_MAULDRE, slug="gally-mauldre")
    client.post(link)
    town = Collectivite.objects.get(slug="gally-mauldre")
    assert town.kind == Collectivite.Kind.INTERCOMMUNALITE
    with schema_context(town.schema_name):
        assert sorted(Neighbourhood.objects.values_list("name", flat=True)) == [
            "Chavenay",
            "Feucherolles",
            "Maule",
        ]
    # A commune of that EPCI is told its intercommunalité is already on Placette.
    page = client.get("/essai/commune/78380/").content.decode()
    assert "CC Gally Mauldre, est déjà sur Placette" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "www"}, "Cette adresse est réservée"),
        ({"slug": "town-a"}, "déjà utilisée par une autre collectivité"),
        ({"slug": "Chavenay!"}, "lettres minuscules sans accents"),
        ({"email": "pas-un-email"}, "Saisissez une adresse e-mail valide"),
        ({"phone": "12"}, "Indiquez un numéro de téléphone"),
        ({"accept_dpa": ""}, "Ce champ est obligatoire"),
        ({"signer_role": "autre", "signer_role_other": ""}, "Précisez votre fonction"),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(
    town_a: Collectivite, changes: dict[str, str], message: str
) -> None:
    response = _public().post("/essai/commune/78152/", {**FORM, **changes})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'value="Claire Martin"' in body
    assert not SignupRequest.objects.exists()
    assert mail.outbox == []


def test_an_unknown_collectivite_is_a_404() -> None:
    assert _public().get("/essai/commune/00000/").status_code == 404
    assert _public().get("/essai/region/11/").status_code == 404


def test_a_collectivite_already_on_placette_offers_to_contact_its_admins(
    admin_a, django_capture_on_commit_callbacks
) -> None:
    Collectivite.objects.filter(slug="town-a").update(
        official_code="78152", verified_at=timezone.now(), verified_via="staff"
    )
    client = _public()
    page = client.get("/essai/commune/78152/")
    assert "est déjà sur Placette" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/essai/commune/78152/contact/",
            {"name": "Paul", "email": "paul@mairie.example", "message": "Je suis le nouvel agent."},
        )
    assert response.status_code == 302
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([admin_a.email, settings.OPS_EMAIL])
    assert all(message.reply_to == ["paul@mairie.example"] for message in mail.outbox)


def test_an_expired_link_creates_nothing(submit, time_machine) -> None:
    link = submit(_public())
    time_machine.move_to(SignupRequest.objects.get().expires_at + timedelta(minutes=1))
    response = _public().post(link)
    assert response.status_code == 410
    assert "a expiré" in response.content.decode()
    assert not Collectivite.objects.filter(slug="chavenay").exists()


def test_an_unknown_link_is_a_clear_404() -> None:
    response = _public().get("/essai/confirmer/n-importe-quoi/")
    assert response.status_code == 404
    assert "Ce lien est inconnu" in response.content.decode()


def test_two_sign_ups_for_one_commune_make_one_request_and_a_claim(submit) -> None:
    first = submit(_public(), email="maire@chavenay.fr")
    late = _public().post("/essai/commune/78152/", {**FORM, "email": "dgs@chavenay.fr"})
    assert late.status_code == 302 and late["Location"] == "/essai/demande-enregistree/"
    assert SignupRequest.objects.count() == 1
    assert _public().post(first).status_code == 302
    assert Collectivite.objects.filter(official_code="78152").count() == 1


def test_a_failure_midway_leaves_nothing_and_a_retry_works(submit, monkeypatch) -> None:
    link = submit(_public())

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the billing database hiccuped")

    monkeypatch.setattr(services, "start_trial", broken)
    response = _public().post(link)
    assert response.status_code == 410
    assert "rien n’a été créé" in response.content.decode()
    assert not Collectivite.objects.filter(slug="chavenay").exists()
    assert not schema_exists("t_chavenay")
    assert SignupRequest.objects.get().confirmed_at is None

    monkeypatch.undo()
    assert _public().post(link).status_code == 302
    assert Collectivite.objects.filter(slug="chavenay").exists()


def test_a_cloned_schema_equals_a_freshly_migrated_one(town_a: Collectivite) -> None:
    from django.core.management import call_command

    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "t_fresh_migrated"')
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name="t_fresh_migrated",
        interactive=False,
        verbosity=0,
    )

    def shape(schema_name: str) -> dict[str, object]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name, column_name, data_type, is_nullable, "
                "regexp_replace(coalesce(column_default, ''), '\\w+\\.', '', 'g') "
                "FROM information_schema.columns WHERE table_schema = %s ORDER BY 1, 2",
                [schema_name],
            )
            columns = cursor.fetchall()
            cursor.execute(
                "SELECT tablename, replace(indexdef, %s, 'S') FROM pg_indexes "
                "WHERE schemaname = %s ORDER BY 1, 2",
                [schema_name, schema_name],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conrelid::regclass::text, contype, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE connamespace = %s::regnamespace ORDER BY 1, 2, 3",
                [schema_name],
            )
            constraints = [
                (t.split(".")[-1], c, d.replace(f"{schema_name}.", ""))
                for t, c, d in cursor.fetchall()
            ]
            cursor.execute(f'SELECT app, name FROM "{schema_name}".django_migrations ORDER BY 1, 2')  # noqa: S608
            migrations = cursor.fetchall()
        return {
            "columns": columns,
            "indexes": [(t, re.sub(r'"?S"?\.', "", d)) for t, d in indexes],
            "constraints": sorted(constraints),
            "migrations": migrations,
        }

    fresh, cloned = shape("t_fresh_migrated"), shape(town_a.schema_name)
    assert fresh["columns"] == cloned["columns"]
    assert fresh["indexes"] == cloned["indexes"]
    assert fresh["constraints"] == cloned["constraints"]
    assert fresh["migrations"] == cloned["migrations"]


def test_the_form_cannot_be_used_to_flood_mailboxes(django_capture_on_commit_callbacks) -> None:
    client = _public()
    for number in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/essai/commune/78152/", {**FORM, "email": f"person{number}@example.org"}
            )
        assert response.status_code == 302
    refused = client.post("/essai/commune/78152/", {**FORM, "email": "sixth@example.org"})
    assert refused.status_code == 400
    assert "Trop de demandes" in refused.content.decode()
    assert 'value="sixth@example.org"' in refused.content.decode()
    assert len(mail.outbox) == 5
