"""Town B's staff, guests and residents get nothing of town A's results before they are
published: not the live results, not the review screen, not the publication's actions, not the
API; once published, neither page nor API shows a respondent's name or email, and the cached
results of a consultation never show for another town's consultation of the same id."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from participation.consultations.factories import ResponseFactory
from participation.consultations.models import Consultation, ConsultationTextReview
from tenants.models import AuditEntry
from tests.api_support import API, assert_api_denied, call, make_key
from tests.consultation_support import closed_fields, every_kind
from tests.helpers import body, probe

pytestmark = pytest.mark.django_db
SECRET_TEXT = "Texte-secret-de-la-résidente-A"
NAME, EMAIL = "Gertrude Secrète", "gertrude.secrete@town-a.example"


@pytest.fixture
def a_world(town_a):
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(title="Résultats-de-A", **closed_fields())
        person = UserFactory.create(display_name=NAME, email=EMAIL)
        response = ResponseFactory.create(
            consultation=consultation,
            respondent=person,
            answers={str(q["single"].pk): "À pied", str(q["long_text"].pk): SECRET_TEXT},
        )
        return {
            "consultation": consultation,
            "q": q,
            "response": response,
            "journal": list(AuditEntry.objects.values_list("pk", flat=True)),
        }


def _staff_requests(a):
    base = f"/administration/consultations/{a['consultation'].pk}/"
    item = f"t-{a['response'].pk}-{a['q']['long_text'].pk}"
    return [
        ("get", base + "resultats/", {}),
        ("get", base + "resultats/?quartier=1", {}),
        ("post", base + "resultats/publier/", {}),
        ("get", base + "resultats/retirer/", {}),
        ("post", base + "resultats/retirer/", {"confirm": "yes"}),
        ("get", base + "conclusion/", {}),
        ("post", base + "conclusion/", {"conclusion_html": "<p>Piraté</p>", "action": "publish"}),
        ("get", base + "textes/", {}),
        ("get", base + "textes/?statut=all", {}),
        ("post", base + "textes/", {"item": [item], item: "published", "all": "published"}),
    ]


def _assert_untouched(town, a):
    with schema_context(town.schema_name):
        consultation = Consultation.objects.get(pk=a["consultation"].pk)
        assert consultation.results_published_at is None
        assert (consultation.conclusion_html, consultation.conclusion_published_at) == ("", None)
        assert not ConsultationTextReview.objects.exists()
        assert list(AuditEntry.objects.values_list("pk", flat=True)) == a["journal"]


def _b_session_on_a(client_for, town_a, town_b, admin_b):
    on_b = client_for(town_b, admin_b)
    client = client_for(town_a)
    for name, morsel in on_b.cookies.items():
        client.cookies[name] = morsel.value
    return client


@pytest.mark.parametrize(
    "intruder", ["guest", "resident_a", "moderator_a", "admin_b_on_a", "admin_b_on_b"]
)
def test_nobody_but_town_a_admins_reaches_its_results_staff_pages(
    client_for, town_a, town_b, a_world, intruder, request
) -> None:
    client = {
        "guest": lambda: client_for(town_a),
        "resident_a": lambda: client_for(town_a, request.getfixturevalue("resident_a")),
        "moderator_a": lambda: client_for(town_a, request.getfixturevalue("moderator_a")),
        "admin_b_on_a": lambda: _b_session_on_a(
            client_for, town_a, town_b, request.getfixturevalue("admin_b")
        ),
        "admin_b_on_b": lambda: client_for(town_b, request.getfixturevalue("admin_b")),
    }[intruder]()
    for method, path, data in _staff_requests(a_world):
        probe(client, path, method=method, data=data, leaked=[SECRET_TEXT, "Résultats-de-A"])
    _assert_untouched(town_a, a_world)


@pytest.mark.parametrize("who", ["guest", "resident_a", "resident_b_on_b", "admin_b_on_b"])
def test_unpublished_results_are_not_found(client_for, town_a, town_b, a_world, who, request):
    client = {
        "guest": lambda: client_for(town_a),
        "resident_a": lambda: client_for(town_a, request.getfixturevalue("resident_a")),
        "resident_b_on_b": lambda: client_for(town_b, request.getfixturevalue("resident_b")),
        "admin_b_on_b": lambda: client_for(town_b, request.getfixturevalue("admin_b")),
    }[who]()
    key = a_world["consultation"].key
    probe(client, f"/consultations/{key}/resultats/", leaked=[SECRET_TEXT, "Résultats-de-A"])
    assert_api_denied(client.get(f"{API}consultations/{key}/results/"), leaked=[SECRET_TEXT])


def test_the_api_gives_no_results_to_another_towns_key(
    client_for, town_a, town_b, resident_b, admin_b, a_world
) -> None:
    with schema_context(town_a.schema_name):
        Consultation.objects.filter(pk=a_world["consultation"].pk).update(
            results_published_at=a_world["consultation"].closes_at
        )
    path = f"{API}consultations/{a_world['consultation'].key}/results/"
    for user in (resident_b, admin_b):
        key = make_key(town_b, user)
        assert_api_denied(call(client_for(town_a), "get", path, key=key), leaked=["Résultats-de-A"])
        assert_api_denied(call(client_for(town_b), "get", path, key=key), leaked=["Résultats-de-A"])


def test_published_results_show_no_name_nor_email(client_for, town_a, a_world) -> None:
    consultation = a_world["consultation"]
    with schema_context(town_a.schema_name):
        Consultation.objects.filter(pk=consultation.pk).update(
            results_published_at=consultation.closes_at
        )
    guest = client_for(town_a)
    page = body(guest.get(f"/consultations/{consultation.key}/resultats/"))
    api = body(guest.get(f"{API}consultations/{consultation.key}/results/"))
    assert "Résultats-de-A" in page and "Résultats-de-A" in api
    for shown in (page, api):
        assert NAME not in shown and EMAIL not in shown
        assert SECRET_TEXT not in shown  # not reviewed: not published


def test_cached_results_stay_with_their_town(admin, client_for, town_a, town_b, admin_b, a_world):
    """Town B's consultation with the same id as A's shows B's figures, not A's cached ones."""
    consultation = a_world["consultation"]
    assert "1 réponse en tout." in body(
        admin.get(f"/administration/consultations/{consultation.pk}/resultats/")
    )
    with schema_context(town_b.schema_name):
        theirs, q = every_kind(title="Résultats-de-B", pk=consultation.pk)
        for _n in range(2):
            ResponseFactory.create(consultation=theirs, answers={str(q["single"].pk): "À vélo"})
    page = body(
        client_for(town_b, admin_b).get(
            f"/administration/consultations/{consultation.pk}/resultats/"
        )
    )
    assert "Résultats-de-B" in page and "2 réponses en tout." in page
