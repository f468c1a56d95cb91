"""Town B, guests and other residents get nothing of town A's consultations: not a draft, not
an answer or a draft answer of someone else, not a file, and none of the staff's pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from participation.consultations import answering, services
from participation.consultations.factories import ConsultationFactory, QuestionFactory
from participation.consultations.models import Consultation, ConsultationDraft, ConsultationResponse
from tenants.models import AuditEntry
from tests.consultation_support import every_kind
from tests.helpers import body, probe

pytestmark = pytest.mark.django_db
SECRET_ANSWER = "Réponse-secrète-de-la-résidente-A"
SECRET_DRAFT = "Brouillon-secret-de-la-résidente-A"
DRAFT_TITLE = "Consultation-brouillon-de-A"
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def a_world(town_a, resident_a, admin_a, media_root):
    with schema_context(town_a.schema_name):
        published, q = every_kind(title="Consultation-publiée-de-A")
        other, q2 = every_kind(title="Autre-consultation-de-A")
        draft = ConsultationFactory.create(title=DRAFT_TITLE, published_at=None)
        QuestionFactory.create(section__consultation=draft, label="Question-du-brouillon")
        files = {
            c.pk: services.add_attachment(
                admin_a, c, SimpleUploadedFile("plan.pdf", PDF), f"Plan-de-{c.pk}"
            )
            for c in (published, draft)
        }
        answering.submit_answer(
            published,
            user=resident_a,
            browser_key="",
            answers={str(q["single"].pk): "À pied", str(q["long_text"].pk): SECRET_ANSWER},
        )
        answering.save_draft(
            other, user=resident_a, browser_key="", data={q2["long_text"].field_name: SECRET_DRAFT}
        )
        section = published.sections.first()
        return {
            "published": published,
            "other": other,
            "draft": draft,
            "section": section,
            "question": q["number"],
            "files": files,
            "journal": list(AuditEntry.objects.values_list("pk", flat=True)),
            "counts": _counts(),
        }


def _counts():
    return (
        Consultation.objects.count(),
        ConsultationResponse.objects.count(),
        ConsultationDraft.objects.count(),
        sum(c.questions.count() for c in Consultation.objects.all()),
    )


def _staff_requests(a):
    pk = a["published"].pk
    base = f"/administration/consultations/{pk}/"
    section, question = a["section"].pk, a["question"].pk
    attachment = a["files"][pk].pk
    draft_base = f"/administration/consultations/{a['draft'].pk}/"
    return [
        ("get", "/administration/consultations/", {}),
        ("get", "/administration/consultations/nouvelle/", {}),
        ("post", "/administration/consultations/nouvelle/", {"title": "Pirate"}),
        ("get", base, {}),
        ("post", base, {"title": "Piraté"}),
        ("post", base + "fichiers/", {}),
        ("post", f"{base}fichiers/{attachment}/supprimer/", {}),
        ("post", base + "publier/", {}),
        ("post", draft_base + "publier/", {}),
        ("post", base + "dupliquer/", {}),
        ("get", base + "questionnaire/", {}),
        ("get", draft_base + "apercu/", {}),
        ("get", base + "resultats/", {}),
        ("post", base + "sections/", {"title": "Pirate"}),
        ("get", f"{base}sections/{section}/", {}),
        ("post", f"{base}sections/{section}/", {"title": "Pirate"}),
        ("post", f"{base}sections/{section}/supprimer/", {}),
        ("post", f"{base}sections/{section}/monter/", {}),
        ("post", f"{base}sections/{section}/descendre/", {}),
        ("get", f"{base}sections/{section}/questions/", {}),
        ("post", f"{base}sections/{section}/questions/", {"kind": "yes_no", "label": "P"}),
        ("get", f"{base}questions/{question}/", {}),
        ("post", f"{base}questions/{question}/", {"kind": "yes_no", "label": "P"}),
        ("post", f"{base}questions/{question}/supprimer/", {}),
        ("post", f"{base}questions/{question}/monter/", {}),
        ("post", f"{base}questions/{question}/descendre/", {}),
        ("get", base + "donnees/", {}),
        ("get", base + "donnees/reponses.csv", {}),
        ("get", base + "donnees/reponses.xlsx", {}),
        ("get", base + "donnees/reponses.json", {}),
        ("get", base + "papier/", {}),
        ("get", base + "papier/nouvelle/", {}),
        ("post", base + "papier/nouvelle/", {}),
    ]


def _assert_untouched(town, a):
    with schema_context(town.schema_name):
        assert list(AuditEntry.objects.values_list("pk", flat=True)) == a["journal"]
        assert _counts() == a["counts"]
        a["published"].refresh_from_db()
        assert a["published"].title == "Consultation-publiée-de-A"
        assert Consultation.objects.get(pk=a["draft"].pk).published_at is None


@pytest.mark.parametrize(
    "intruder", ["guest", "resident_a", "moderator_a", "admin_b_on_a", "admin_b_on_b"]
)
def test_nobody_but_town_a_admins_reaches_its_staff_pages(
    client_for, town_a, town_b, a_world, intruder, request
) -> None:
    client = {
        "guest": lambda: client_for(town_a),
        "resident_a": lambda: client_for(town_a, request.getfixturevalue("resident_a")),
        "moderator_a": lambda: client_for(town_a, request.getfixturevalue("moderator_a")),
        "admin_b_on_a": lambda: _b_session_on_a(client_for, town_a, town_b, request),
        "admin_b_on_b": lambda: client_for(town_b, request.getfixturevalue("admin_b")),
    }[intruder]()
    requests = _staff_requests(a_world)
    if intruder == "admin_b_on_b":  # town B's own list and form are B's: A's rows must not show
        assert DRAFT_TITLE not in body(client.get("/administration/consultations/"))
        requests = requests[3:]
    for method, path, data in requests:
        probe(client, path, method=method, data=data, leaked=[SECRET_ANSWER, DRAFT_TITLE])
    _assert_untouched(town_a, a_world)


def _b_session_on_a(client_for, town_a, town_b, request):
    """Town B's admin's session cookie, sent to town A's site."""
    on_b = client_for(town_b, request.getfixturevalue("admin_b"))
    client = client_for(town_a)
    for name, morsel in on_b.cookies.items():
        client.cookies[name] = morsel.value
    return client


def _resident_paths(a):
    published, draft = a["published"], a["draft"]
    return {
        "published": [
            f"/consultations/{published.key}/",
            f"/consultations/{published.key}/merci/",
            f"/consultations/{published.key}/fichiers/{a['files'][published.pk].pk}/",
            f"/consultations/{published.key}/donnees/reponses.csv",  # results not published
        ],
        "draft": [
            f"/consultations/{draft.key}/",
            f"/consultations/{draft.key}/merci/",
            f"/consultations/{draft.key}/fichiers/{a['files'][draft.pk].pk}/",
            f"/consultations/{draft.key}/donnees/reponses.json",
        ],
    }


@pytest.mark.parametrize("who", ["resident_b", "admin_b"])
def test_town_b_sees_nothing_of_town_a_on_its_own_site(client_for, town_b, a_world, who, request):
    client = client_for(town_b, request.getfixturevalue(who))
    paths = _resident_paths(a_world)
    for path in paths["published"] + paths["draft"]:
        probe(client, path, leaked=[SECRET_ANSWER, DRAFT_TITLE, "Consultation-publiée-de-A"])
    probe(client, f"/consultations/{a_world['published'].key}/copie/", method="post")
    assert "Consultation-publiée-de-A" not in body(client.get("/consultations/"))


@pytest.mark.parametrize("who", ["guest", "resident_a", "other_resident"])
def test_a_draft_consultation_and_its_file_are_invisible_to_residents(
    client_for, town_a, a_world, who, request
) -> None:
    user = {
        "guest": None,
        "resident_a": request.getfixturevalue("resident_a"),
        "other_resident": None,
    }[who]
    if who == "other_resident":
        with schema_context(town_a.schema_name):
            user = UserFactory.create()
    client = client_for(town_a, user)
    for path in _resident_paths(a_world)["draft"]:
        probe(client, path, leaked=[DRAFT_TITLE, "Question-du-brouillon"])
    probe(client, f"/consultations/{a_world['draft'].key}/", method="post", data={"action": "send"})
    if user is not None:
        assert DRAFT_TITLE not in body(client.get("/consultations/"))
    _assert_untouched(town_a, a_world)


def test_another_resident_sees_neither_the_answer_nor_the_draft(client_for, town_a, a_world):
    with schema_context(town_a.schema_name):
        neighbour = UserFactory.create()
    client = client_for(town_a, neighbour)
    published, other = a_world["published"], a_world["other"]
    probe(client, f"/consultations/{published.key}/merci/", leaked=[SECRET_ANSWER])
    probe(client, f"/consultations/{published.key}/copie/", method="post")
    for consultation in (published, other):
        page = client.get(f"/consultations/{consultation.key}/")
        assert page.status_code == 200
        assert SECRET_ANSWER not in body(page) and SECRET_DRAFT not in body(page)
    _assert_untouched(town_a, a_world)


def test_a_guest_gets_no_file_or_answer_of_a_residents_consultation(client_for, town_a, a_world):
    guest = client_for(town_a)
    for path in _resident_paths(a_world)["published"]:
        probe(guest, path, leaked=[SECRET_ANSWER, "Plan-de-"])
    probe(guest, f"/consultations/{a_world['published'].key}/copie/", method="post")


def test_a_file_is_reached_only_through_its_own_consultation(
    client_for, town_a, resident_a, a_world
):
    draft_file = a_world["files"][a_world["draft"].pk]
    client = client_for(town_a, resident_a)
    probe(client, f"/consultations/{a_world['published'].key}/fichiers/{draft_file.pk}/")


def test_the_owner_still_reaches_what_the_others_are_refused(
    client_for, town_a, resident_a, a_world
):
    """The probes above are refusals, not a broken page: the owner gets the same pages."""
    client = client_for(town_a, resident_a)
    paths = _resident_paths(a_world)["published"]
    assert SECRET_ANSWER in body(client.get(paths[1]))
    assert client.get(paths[2]).status_code == 200
    assert SECRET_DRAFT in body(client.get(f"/consultations/{a_world['other'].key}/"))
