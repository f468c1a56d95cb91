"""Residents join: sign-up with neighbourhood and charter, desk registration with a one-time code,
first login with the code, data export and account deletion."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD, AdminFactory, UserFactory
from accounts.models import User
from tenants.addresses import town_url
from tenants.models import Collectivite
from townsite.models import Neighbourhood, ResidentProfile
from townsite.residents import codes, export, services
from townsite.residents.placeholders import is_placeholder_email

pytestmark = pytest.mark.django_db

SIGNUP = {
    "display_name": "Martine",
    "email": "Martine.Dupont@Example.org",
    "password1": TEST_PASSWORD,
    "password2": TEST_PASSWORD,
    "charter": "on",
}
NEW_PASSWORD = "un-autre-mot-de-passe-solide"


def _neighbourhoods(town: Collectivite, *names: str) -> list[Neighbourhood]:
    with schema_context(town.schema_name):
        return [Neighbourhood.objects.create(name=name, position=i) for i, name in enumerate(names)]


def _body(response) -> str:
    return response.content.decode()


def _find(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not found"
    return found.group(1)


def _register(town: Collectivite, agent: User, **fields) -> services.DeskRegistration:
    fields.setdefault("display_name", "Jeanne Martin")
    fields.setdefault("neighbourhood", None)
    with schema_context(town.schema_name):
        return services.register_at_desk(agent, **fields)


def _profile(town: Collectivite, user_id: int) -> ResidentProfile:
    with schema_context(town.schema_name):
        return ResidentProfile.objects.select_related("user", "assisted_by").get(user_id=user_id)


# --- Sign-up on the town's site --------------------------------------------------------------


def test_a_resident_signs_up_with_a_neighbourhood_and_the_charter(
    client_for, town_a, django_capture_on_commit_callbacks
) -> None:
    _centre, gare = _neighbourhoods(town_a, "Centre", "La Gare")
    client = client_for(town_a)
    page = _body(client.get("/accounts/signup/"))
    assert "Quartier" in page
    assert "<details" in page and "Charte de participation" in page
    assert "adresse postale" not in page.lower()

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/accounts/signup/", {**SIGNUP, "neighbourhood": gare.pk})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/confirm-email/"
        # Nothing leaves before the sign-up commits.
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["martine.dupont@example.org"]
    assert "/accounts/confirm-email/" in str(mail.outbox[0].body)

    with schema_context(town_a.schema_name):
        user = User.objects.get(email="martine.dupont@example.org")
        assert user.display_name == "Martine"
        profile = user.resident_profile
        assert profile.neighbourhood == gare
        assert profile.charter_accepted_at is not None
        assert profile.assisted_by is None and profile.assisted_at is None


def test_an_intercommunalite_asks_for_the_commune(client_for, town_a) -> None:
    _neighbourhoods(town_a, "Chavenay", "Feucherolles")
    town_a.kind = Collectivite.Kind.INTERCOMMUNALITE
    town_a.save(update_fields=["kind"])
    response = client_for(town_a).post("/accounts/signup/", {**SIGNUP})
    body = _body(response)
    assert '<label for="id_neighbourhood">Commune</label>' in body
    assert "Choisissez votre commune." in body


def test_a_town_without_neighbourhoods_does_not_ask_for_one(client_for, town_a) -> None:
    client = client_for(town_a)
    assert "id_neighbourhood" not in _body(client.get("/accounts/signup/"))
    assert client.post("/accounts/signup/", SIGNUP).status_code == 302
    with schema_context(town_a.schema_name):
        profile = ResidentProfile.objects.get(user__email="martine.dupont@example.org")
        assert profile.neighbourhood is None
        assert profile.charter_accepted_at is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"charter": ""}, "Pour vous inscrire, acceptez la charte."),
        ({"neighbourhood": ""}, "Choisissez votre quartier."),
        ({"password2": "pas-le-meme-mot-de-passe"}, "Vous devez saisir deux fois le même"),
    ],
)
def test_a_bad_sign_up_creates_nothing_and_keeps_what_was_typed(
    client_for, town_a, django_capture_on_commit_callbacks, change, message
) -> None:
    centre, _gare = _neighbourhoods(town_a, "Centre", "La Gare")
    data = {**SIGNUP, "neighbourhood": centre.pk, **change}
    data = {key: value for key, value in data.items() if value != ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(town_a).post("/accounts/signup/", data)
    assert response.status_code == 200
    body = _body(response)
    assert message in body
    assert 'value="Martine"' in body
    assert "Martine.Dupont@Example.org" in body
    if "neighbourhood" in data:
        assert f'<option value="{centre.pk}" selected>' in body
    assert 'aria-invalid="true"' in body
    with schema_context(town_a.schema_name):
        assert not User.objects.filter(display_name="Martine").exists()
        assert not ResidentProfile.objects.exists()
    assert mail.outbox == []


# --- Registration at the town hall desk ------------------------------------------------------


def test_an_agent_registers_a_resident_at_the_desk(client_for, town_a, admin_a) -> None:
    (centre,) = _neighbourhoods(town_a, "Centre")
    client = client_for(town_a, admin_a)
    response = client.post(
        "/administration/habitants/nouveau/",
        {"display_name": "Jeanne Martin", "neighbourhood": centre.pk, "phone": "01 23 45 67 89"},
    )
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        user = User.objects.get(display_name="Jeanne Martin")
    assert response["Location"] == f"/administration/habitants/{user.pk}/fiche/"

    profile = _profile(town_a, user.pk)
    assert profile.assisted_by == admin_a
    assert profile.assisted_at and timezone.now() - profile.assisted_at < timedelta(minutes=1)
    assert profile.neighbourhood == centre
    assert profile.phone == "01 23 45 67 89"
    assert profile.charter_accepted_at is None
    assert not profile.user.has_usable_password()
    assert is_placeholder_email(profile.user.email)
    with schema_context(town_a.schema_name):
        assert not EmailAddress.objects.filter(user=profile.user).exists()
    expires_in = (profile.login_code_expires_at or timezone.now()) - timezone.now()
    assert timedelta(days=29) < expires_in <= timedelta(days=30)

    # The sheet shows the code once; only its hash is stored.
    sheet = _body(client.get(response["Location"]))
    code = _find(r'data-testid="login-code">([A-Z0-9]{4}-[A-Z0-9]{4})<', sheet)
    plain = code.replace("-", "")
    assert all(char in codes.ALPHABET for char in plain)
    assert plain not in profile.login_code_hash
    with schema_context(town_a.schema_name):
        assert profile.login_code_hash == codes.hash_code(plain)
    assert f'<dd class="sheet__big">{town_url(town_a.slug)}</dd>' in sheet
    with schema_context(town_a.schema_name):
        login_name = User.objects.get(pk=profile.user_id).login_name
    assert login_name and login_name.startswith("martin-")
    assert f'data-testid="login-name">{login_name}</dd>' in sheet
    assert "Trois étapes pour commencer" in sheet
    assert "css/print.css" in sheet

    again = _body(client.get(response["Location"]))
    assert code not in again
    assert "Générer un nouveau code" in again
    assert "Jeanne Martin" in again
    assert mail.outbox == []


def test_a_moderator_registers_a_resident_with_an_email(client_for, town_a, moderator_a) -> None:
    client = client_for(town_a, moderator_a)
    response = client.post(
        "/administration/habitants/nouveau/",
        {"display_name": "Paul", "email": "Paul@Example.org"},
    )
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        user = User.objects.get(email="paul@example.org")
        address = EmailAddress.objects.get(user=user)
        assert address.primary and not address.verified
        assert user.resident_profile.assisted_by == moderator_a
    sheet = _body(client.get(response["Location"]))
    assert "paul@example.org" in sheet
    assert 'data-testid="login-name">paul-' in sheet  # an email and a login name: either works


def test_a_bad_desk_registration_explains_and_creates_nothing(
    client_for, town_a, admin_a, resident_a
) -> None:
    _neighbourhoods(town_a, "Centre")
    response = client_for(town_a, admin_a).post(
        "/administration/habitants/nouveau/",
        {"display_name": "Paul", "email": resident_a.email.upper(), "phone": "abc"},
    )
    assert response.status_code == 400
    body = _body(response)
    assert "Une personne a déjà un compte avec cette adresse e-mail." in body
    assert "Choisissez le quartier de la personne." in body  # the agent is told, not "you"
    assert "Indiquez un numéro de téléphone français à 10 chiffres" in body
    assert 'value="Paul"' in body
    with schema_context(town_a.schema_name):
        assert not User.objects.filter(display_name="Paul").exists()


def test_a_new_code_replaces_the_old_one(client_for, town_a, admin_a) -> None:
    registration = _register(town_a, admin_a)
    client = client_for(town_a, admin_a)
    sheet_url = f"/administration/habitants/{registration.user.pk}/fiche/"
    response = client.post(f"/administration/habitants/{registration.user.pk}/nouveau-code/")
    assert response["Location"] == sheet_url
    sheet = _body(client.get(sheet_url))
    new_code = _find(r'data-testid="login-code">([A-Z0-9-]+)<', sheet)
    assert new_code.replace("-", "") != registration.code
    assert "L’ancien code ne fonctionne plus." in sheet

    guest = client_for(town_a)
    response = guest.post("/premiere-connexion/", {"code": registration.code})
    assert response.status_code == 400
    assert "Ce code n’est pas bon" in _body(response)
    response = guest.post("/premiere-connexion/", {"code": new_code})
    assert response["Location"] == "/premiere-connexion/mot-de-passe/"
    # Only agents regenerate, and only by POST.
    assert (
        client.get(f"/administration/habitants/{registration.user.pk}/nouveau-code/").status_code
        == 405
    )


def test_the_residents_list_pages_searches_and_keeps_its_query_count(
    client_for, town_a, admin_a, django_assert_num_queries
) -> None:
    (centre,) = _neighbourhoods(town_a, "Centre")
    client = client_for(town_a, admin_a)

    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            _register(town_a, admin_a, display_name=f"Habitant {number:03d}", neighbourhood=centre)
            with schema_context(town_a.schema_name):
                UserFactory(display_name=f"En ligne {number:03d}")

    add(2, 0)
    client.get("/administration/habitants/")  # the host's tenant is now cached, as in production
    with CaptureQueriesContext(connection) as small:
        response = client.get("/administration/habitants/")
    body = _body(response)
    assert "Habitant 001" in body and "En ligne 001" in body
    assert "À l’accueil de la mairie" in body and "En ligne" in body
    assert "Centre" in body

    add(30, 2)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get("/administration/habitants/")
    body = _body(response)
    # 65 residents (with the committed one): 50 on the first page.
    assert body.count("<tr>") == 50 + 1
    assert "Page 1 sur 2" in body
    assert "Habitant 031" in body
    assert "Résidente A" not in body  # the oldest, on page 2
    assert "Résidente A" in _body(client.get("/administration/habitants/?page=2"))
    assert f'<th scope="row">{admin_a.display_name}</th>' not in body  # staff are not residents

    found = _body(client.get("/administration/habitants/", {"q": "habitant 03"}))
    assert "Habitant 030" in found and "Habitant 031" in found
    assert "Habitant 029" not in found and "En ligne" not in found.split("<tbody>")[1]


# --- First login with the code -----------------------------------------------------------------


def test_a_resident_logs_in_with_the_code_and_chooses_a_password(
    client_for, town_a, admin_a
) -> None:
    registration = _register(town_a, admin_a, display_name="Jeanne Martin")
    client = client_for(town_a)
    typed = registration.code.lower()
    typed = f"{typed[:4]} - {typed[4:]}"  # case, spaces and dash do not matter
    response = client.post("/premiere-connexion/", {"code": typed})
    assert response["Location"] == "/premiere-connexion/mot-de-passe/"

    page = _body(client.get("/premiere-connexion/mot-de-passe/"))
    assert "Bonjour Jeanne Martin" in page
    assert "Charte de participation" in page

    response = client.post(
        "/premiere-connexion/mot-de-passe/",
        {"password1": NEW_PASSWORD, "password2": "autre-chose-encore", "charter": "on"},
    )
    assert response.status_code == 400
    assert "Les deux mots de passe ne correspondent pas." in _body(response)
    assert _profile(town_a, registration.user.pk).login_code_hash  # not consumed

    response = client.post(
        "/premiere-connexion/mot-de-passe/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "charter": "on"},
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == registration.user.pk
    home = _body(client.get(response["Location"]))
    assert "Jeanne Martin" in home
    assert "Bienvenue ! Votre mot de passe est enregistré." in home
    # Without an email address, the way back in is the login name from the sheet.
    login_name = _profile(town_a, registration.user.pk).user.login_name
    assert f"connectez-vous avec votre identifiant, {login_name}, et votre mot de passe" in home

    profile = _profile(town_a, registration.user.pk)
    assert profile.login_code_hash == "" and profile.login_code_expires_at is None
    assert profile.charter_accepted_at is not None
    assert profile.user.check_password(NEW_PASSWORD)

    # Used once: the same code no longer opens anything.
    response = client_for(town_a).post("/premiere-connexion/", {"code": registration.code})
    assert response.status_code == 400
    assert "Ce code n’est pas bon, ou il a déjà servi." in _body(response)


def test_a_wrong_code_is_refused_in_french(client_for, town_a, admin_a) -> None:
    _register(town_a, admin_a)
    client = client_for(town_a)
    for typed in ("ABCD-EFGH", "0000-0000", "court", ""):
        response = client.post("/premiere-connexion/", {"code": typed})
        assert response.status_code == 400
        assert "premiere-connexion/mot-de-passe" not in response.get("Location", "")
    assert "Ce code n’est pas bon" in _body(
        client.post("/premiere-connexion/", {"code": "ABCDEFGH"})
    )
    assert "_auth_user_id" not in client.session
    # The second step cannot be reached without a code.
    response = client.get("/premiere-connexion/mot-de-passe/")
    assert response["Location"] == "/premiere-connexion/"


def test_an_expired_code_is_refused(client_for, town_a, admin_a) -> None:
    registration = _register(town_a, admin_a)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = client_for(town_a).post("/premiere-connexion/", {"code": registration.code})
    assert response.status_code == 400
    assert "Ce code a expiré. Demandez un nouveau code à la mairie." in _body(response)


def test_a_code_that_expires_between_the_two_steps_is_refused(client_for, town_a, admin_a) -> None:
    registration = _register(town_a, admin_a)
    client = client_for(town_a)
    client.post("/premiere-connexion/", {"code": registration.code})
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = client.post(
            "/premiere-connexion/mot-de-passe/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "charter": "on"},
        )
    assert response["Location"] == "/premiere-connexion/"
    assert not _profile(town_a, registration.user.pk).user.has_usable_password()


def test_code_attempts_are_rate_limited_per_ip_and_per_code_prefix(
    client_for, town_a, admin_a
) -> None:
    registration = _register(town_a, admin_a)
    client = client_for(town_a)
    for attempt in range(codes.MAX_ATTEMPTS):
        wrong = f"ZZZZ{attempt:04d}".replace("0", "A").replace("1", "B")
        assert client.post("/premiere-connexion/", {"code": wrong}).status_code == 400
    # Even the right code waits now, from this IP...
    response = client.post("/premiere-connexion/", {"code": registration.code})
    assert response.status_code == 429
    assert "Trop d’essais. Attendez 15 minutes, puis réessayez." in _body(response)
    # ...and the prefix tried ten times is closed from any IP.
    other_ip = client_for(town_a)
    response = other_ip.post("/premiere-connexion/", {"code": "ZZZZ-HHHH"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    # Another IP with another prefix still gets through.
    response = other_ip.post(
        "/premiere-connexion/", {"code": registration.code}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302


# --- The placeholder address of a resident without email --------------------------------------


def test_a_real_email_replaces_the_placeholder_once_verified(
    client_for, town_a, admin_a, django_capture_on_commit_callbacks
) -> None:
    registration = _register(town_a, admin_a)
    placeholder = registration.user.email
    client = client_for(town_a, registration.user)
    account = _body(client.get("/mon-compte/"))
    assert placeholder not in account
    assert "Ajouter une adresse e-mail" in account

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"email": "jeanne@example.org", "action_add": ""})
    assert [message.to for message in mail.outbox] == [["jeanne@example.org"]]
    link = _find(r"(/accounts/confirm-email/\S+/)", str(mail.outbox[0].body))
    response = client.post(link)
    assert response.status_code == 302

    with schema_context(town_a.schema_name):
        user = User.objects.get(pk=registration.user.pk)
        assert user.email == "jeanne@example.org"
        addresses = list(EmailAddress.objects.filter(user=user).values_list("email", "primary"))
        assert addresses == [("jeanne@example.org", True)]
    assert "jeanne@example.org" in _body(client.get("/mon-compte/"))


# --- Export and deletion ------------------------------------------------------------------------


def test_a_resident_downloads_their_data(client_for, town_a, admin_a) -> None:
    (centre,) = _neighbourhoods(town_a, "Centre")
    registration = _register(
        town_a, admin_a, display_name="Jeanne", neighbourhood=centre, phone="0600000000"
    )
    client = client_for(town_a, registration.user)

    def posts_of(user: User) -> list[str]:
        return [f"post of {user.display_name}"]

    export.register_export_section("posts", posts_of)
    try:
        response = client.get("/mon-compte/donnees/")
    finally:
        export.EXPORT_SECTIONS[:] = [s for s in export.EXPORT_SECTIONS if s[0] != "posts"]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-town-a-')
    data = json.loads(response.content)
    # The site's own sections first, then the modules' (in the order their apps registered).
    assert list(data)[:6] == [
        "exported_at",
        "site",
        "account",
        "profile",
        "email_addresses",
        "notifications",
    ]
    assert sorted(list(data)[6:]) == [
        "consultation_answers",
        "consultation_drafts",
        "ideas",
        "moderation",
        "mutual_aid_conversations",
        "mutual_aid_exchanges",
        "mutual_aid_posts",
        "posts",
    ]
    assert data["site"]["name"] == "Villeneuve-les-Tests"
    assert data["account"]["display_name"] == "Jeanne"
    assert data["account"]["email"] is None  # the placeholder is not theirs to keep
    assert data["account"]["has_password"] is False
    assert data["account"]["date_joined"].startswith(str(timezone.localdate().year))
    assert data["profile"]["neighbourhood"] == "Centre"
    assert data["profile"]["phone"] == "0600000000"
    assert data["profile"]["registered_at_town_hall_desk"] is True
    assert data["email_addresses"] == []
    assert data["posts"] == ["post of Jeanne"]


def test_an_online_resident_export_lists_their_addresses(client_for, town_a, resident_a) -> None:
    data = json.loads(client_for(town_a, resident_a).get("/mon-compte/donnees/").content)
    assert data["account"]["email"] == resident_a.email
    assert data["email_addresses"] == [
        {"email": resident_a.email, "verified": True, "primary": True}
    ]
    assert data["profile"] is None


def test_my_account_links_to_everything(client_for, town_a, resident_a) -> None:
    body = _body(client_for(town_a, resident_a).get("/mon-compte/"))
    for href in (
        "/accounts/email/",
        "/accounts/password/change/",
        "/mon-compte/donnees/",
        "/mon-compte/supprimer/",
    ):
        assert f'href="{href}"' in body
    assert resident_a.email in body


def test_deleting_an_account_needs_the_password(client_for, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        ResidentProfile.objects.create(user=resident_a)
    client = client_for(town_a, resident_a)
    response = client.post("/mon-compte/supprimer/", {"password": "faux"})
    assert response.status_code == 400
    assert "Ce n’est pas votre mot de passe." in _body(response)
    with schema_context(town_a.schema_name):
        assert User.objects.filter(pk=resident_a.pk).exists()

    response = client.post("/mon-compte/supprimer/", {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert "Votre compte est supprimé." in _body(client.get(response["Location"]))
    with schema_context(town_a.schema_name):
        assert not User.objects.filter(pk=resident_a.pk).exists()
        assert not ResidentProfile.objects.filter(user_id=resident_a.pk).exists()
        assert not EmailAddress.objects.filter(user_id=resident_a.pk).exists()


def test_a_desk_account_without_password_is_deleted_by_ticking_a_box(
    client_for, town_a, admin_a
) -> None:
    registration = _register(town_a, admin_a)
    client = client_for(town_a, registration.user)
    page = _body(client.get("/mon-compte/supprimer/"))
    assert 'type="password"' not in page and 'type="checkbox"' in page
    response = client.post("/mon-compte/supprimer/", {})
    assert response.status_code == 400
    assert "Cochez la case pour confirmer." in _body(response)
    assert client.post("/mon-compte/supprimer/", {"confirm": "on"}).status_code == 302
    with schema_context(town_a.schema_name):
        assert not User.objects.filter(pk=registration.user.pk).exists()


def test_the_last_admin_cannot_delete_their_account(client_for, town_a, admin_a) -> None:
    client = client_for(town_a, admin_a)
    message = "Personne d’autre n’administre ce site : votre compte ne peut pas être supprimé."
    assert message in _body(client.get("/mon-compte/supprimer/"))
    response = client.post("/mon-compte/supprimer/", {"password": TEST_PASSWORD})
    assert response.status_code == 400
    assert message in _body(response)
    with schema_context(town_a.schema_name):
        assert User.objects.filter(pk=admin_a.pk).exists()
        AdminFactory()
    assert client.post("/mon-compte/supprimer/", {"password": TEST_PASSWORD}).status_code == 302
    with schema_context(town_a.schema_name):
        assert not User.objects.filter(pk=admin_a.pk).exists()


def test_account_pages_are_for_logged_in_people(client_for, town_a) -> None:
    guest: Client = client_for(town_a)
    for path in ("/mon-compte/", "/mon-compte/donnees/", "/mon-compte/supprimer/"):
        response = guest.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
