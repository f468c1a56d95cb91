"""Staff make a consultation: its description (rich text cleaned), files, questionnaire in the
browser (every kind, conditions, moves), publication (residents told), the lock once answered
and the duplicate; each change in the log of actions."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from notifications import kinds
from notifications.models import Notification
from participation.consultations import notices
from participation.consultations.factories import (
    ConsultationFactory,
    QuestionFactory,
    ResponseFactory,
    SectionFactory,
)
from participation.consultations.models import (
    Consultation,
    ConsultationAttachment,
    ConsultationQuestion,
)
from tenants.models import AuditEntry
from tests.consultation_support import every_kind
from tests.helpers import body
from tests.mutual_aid_support import image_bytes

pytestmark = pytest.mark.django_db
BASE = "/administration/consultations/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _actions(town) -> list[str]:
    return list(
        AuditEntry.objects.filter(collectivite=town).order_by("pk").values_list("action", flat=True)
    )


def _form(**overrides):
    now = timezone.localtime()
    data = {
        "title": "Réaménagement de la place",
        "context_html": "<p>Votre <strong>avis</strong></p>",
        "opens_at": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + datetime.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "audience": "residents",
    }
    data.update(overrides)
    return data


def test_an_admin_creates_a_consultation_with_clean_rich_text(admin, town_a) -> None:
    dirty = (
        '<h2>Le projet</h2><p onclick="x()">Texte <script>alert(1)</script>'
        '<a href="javascript:alert(1)">piège</a> <a href="https://mairie.fr">site</a></p>'
        '<img src=x onerror="alert(1)"><iframe src="https://evil"></iframe>'
    )
    response = admin.post(BASE + "nouvelle/", _form(context_html=dirty))
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        consultation = Consultation.objects.get()
        assert consultation.published_at is None
        assert consultation.context_html == (
            '<h2>Le projet</h2><p>Texte <a rel="noopener noreferrer">piège</a> '
            '<a href="https://mairie.fr" rel="noopener noreferrer">site</a></p>'
        )
        assert response["Location"] == f"{BASE}{consultation.pk}/questionnaire/"
        assert consultation.sections.count() == 1
    assert _actions(town_a) == ["consultation.create"]


def test_dates_in_the_wrong_order_are_refused_and_the_text_kept(admin, town_a) -> None:
    now = timezone.localtime()
    data = _form(
        title="Mon titre gardé",
        closes_at=(now - datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = admin.post(BASE + "nouvelle/", data)
    assert response.status_code == 400
    assert "La date de clôture doit venir après la date d’ouverture." in body(response)
    assert 'value="Mon titre gardé"' in body(response)
    with schema_context(town_a.schema_name):
        assert not Consultation.objects.exists()
    assert _actions(town_a) == []


@pytest.mark.parametrize("who", ["moderator_a", "resident_a"])
def test_only_admins_make_consultations(client_for, town_a, who, request) -> None:
    client = client_for(town_a, request.getfixturevalue(who))
    assert client.get(BASE).status_code == 403
    assert client.post(BASE + "nouvelle/", _form()).status_code == 403
    with schema_context(town_a.schema_name):
        assert not Consultation.objects.exists()


def test_a_changed_description_is_logged_with_what_changed(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create(published_at=None, title="Avant")
    form = _form(title="Après")
    assert admin.post(f"{BASE}{consultation.pk}/", form).status_code == 302
    entry = AuditEntry.objects.get(action="consultation.update")
    assert entry.before["title"] == "Avant" and entry.after["title"] == "Après"


def test_files_are_checked_stored_per_town_and_served_to_who_may_see(
    admin, client_for, town_a, resident_a, media_root
) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create()
    pdf = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    response = admin.post(f"{BASE}{consultation.pk}/fichiers/", {"file": pdf, "name": "Plan"})
    assert response.status_code == 302
    png = SimpleUploadedFile("photo.png", image_bytes("PNG"), content_type="image/png")
    assert admin.post(f"{BASE}{consultation.pk}/fichiers/", {"file": png}).status_code == 302
    with schema_context(town_a.schema_name):
        plan, photo = ConsultationAttachment.objects.order_by("pk")
    assert (plan.content_type, photo.content_type) == ("application/pdf", "image/png")
    assert (media_root / town_a.schema_name / plan.file.name).read_bytes() == PDF
    served = client_for(town_a, resident_a).get(
        f"/consultations/{consultation.key}/fichiers/{plan.pk}/"
    )
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == PDF
    assert _actions(town_a) == ["consultation.attachment_add", "consultation.attachment_add"]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("gros.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024)),
            "Ce fichier dépasse 10 Mo.",
        ),
        (SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf"), "Seuls les documents PDF"),
        (SimpleUploadedFile("image.gif", b"GIF89a" + b"\x00" * 40), "Seuls les documents PDF"),
    ],
)
def test_bad_files_are_refused_with_a_message(admin, town_a, media_root, upload, message) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create()
    response = admin.post(f"{BASE}{consultation.pk}/fichiers/", {"file": upload})
    assert response.status_code == 400
    assert message in body(response)
    with schema_context(town_a.schema_name):
        assert not ConsultationAttachment.objects.exists()
    assert list(media_root.rglob("*.*")) == []


def test_a_removed_file_leaves_the_storage(
    admin, town_a, media_root, django_capture_on_commit_callbacks
) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create()
    pdf = SimpleUploadedFile("plan.pdf", PDF)
    admin.post(f"{BASE}{consultation.pk}/fichiers/", {"file": pdf})
    with schema_context(town_a.schema_name):
        plan = ConsultationAttachment.objects.get()
    stored = media_root / town_a.schema_name / plan.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"{BASE}{consultation.pk}/fichiers/{plan.pk}/supprimer/")
    assert not stored.exists()


QUESTION_FORMS = {
    "single": {"choices": "Oui\nNon\nSans avis", "allow_other": "on"},
    "multiple": {"choices": "A\nB\nC", "min_choices": "1", "max_choices": "2"},
    "ranking": {"choices": "Arbres\nBancs"},
    "scale": {
        "scale_max": "10",
        "scale_min_label": "Pas du tout",
        "scale_max_label": "Tout à fait",
    },
    "yes_no": {},
    "number": {"number_min": "0", "number_max": "10"},
    "date": {},
    "short_text": {},
    "long_text": {},
}


def test_every_kind_of_question_is_built_in_the_browser(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create(published_at=None)
        section = SectionFactory.create(consultation=consultation)
    url = f"{BASE}{consultation.pk}/sections/{section.pk}/questions/"
    for kind, extra in QUESTION_FORMS.items():
        data = {"kind": kind, "label": f"Question {kind}", "scale_max": "5", **extra}
        assert admin.post(url, data).status_code == 302, kind
    with schema_context(town_a.schema_name):
        made = {q.kind: q for q in consultation.questions.all()}
    assert set(made) == set(QUESTION_FORMS)
    assert made["single"].choices == ["Oui", "Non", "Sans avis"] and made["single"].allow_other
    assert (made["multiple"].min_choices, made["multiple"].max_choices) == (1, 2)
    assert made["scale"].scale_max == 10 and made["scale"].scale_min_label == "Pas du tout"
    assert (made["number"].number_min, made["number"].number_max) == (0, 10)
    preview = body(admin.get(f"{BASE}{consultation.pk}/apercu/"))
    for kind in QUESTION_FORMS:
        assert f"Question {kind}" in preview
    assert _actions(town_a) == ["consultation.question_add"] * len(QUESTION_FORMS)


def test_a_conditional_question_is_made_with_a_choice_of_earlier_answers(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create(published_at=None)
        section = SectionFactory.create(consultation=consultation)
        parent = QuestionFactory.create(section=section, kind="yes_no", label="Avez-vous un vélo ?")
    url = f"{BASE}{consultation.pk}/sections/{section.pk}/questions/"
    page = body(admin.get(url + "?type=short_text"))
    assert f'value="{parent.pk}|yes"' in page
    data = {"kind": "short_text", "label": "Où le garez-vous ?", "scale_max": "5"}
    assert admin.post(url, {**data, "condition": f"{parent.pk}|yes"}).status_code == 302
    with schema_context(town_a.schema_name):
        child = ConsultationQuestion.objects.get(label="Où le garez-vous ?")
    assert (child.show_if_question_id, child.show_if_value) == (parent.pk, "yes")
    # The parent cannot then depend on its own dependant (a later question).
    edit = f"{BASE}{consultation.pk}/questions/{parent.pk}/"
    refused = admin.post(
        edit, {"kind": "yes_no", "label": "x", "scale_max": "5", "condition": f"{child.pk}|x"}
    )
    assert refused.status_code == 400
    assert "Sélectionnez un choix valide." in body(refused)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "single", "choices": "Seule"}, "Donnez au moins deux options, une par ligne."),
        ({"kind": "ranking", "choices": "A\nA"}, "Deux options sont identiques"),
        (
            {"kind": "multiple", "choices": "A\nB\nC", "min_choices": "3", "max_choices": "2"},
            "« Au plus » ne peut pas être inférieur à « au moins ».",
        ),
        ({"kind": "number", "number_min": "10", "number_max": "1"}, "Le maximum ne peut pas"),
        ({"kind": "single", "choices": "A\nB", "label": ""}, "Ce champ est obligatoire."),
    ],
)
def test_bad_questions_are_refused_and_the_text_kept(admin, town_a, data, message) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create(published_at=None)
        section = SectionFactory.create(consultation=consultation)
    form = {"label": "Ma question gardée", "scale_max": "5", "help_text": "Aide gardée", **data}
    response = admin.post(f"{BASE}{consultation.pk}/sections/{section.pk}/questions/", form)
    assert response.status_code == 400
    assert message in body(response)
    assert "Aide gardée" in body(response)
    with schema_context(town_a.schema_name):
        assert not consultation.questions.exists()


def test_questions_move_up_and_down_with_plain_buttons(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create(published_at=None)
        section = SectionFactory.create(consultation=consultation)
        first, second, third = (QuestionFactory.create(section=section, label=n) for n in "ABC")
    page = body(admin.get(f"{BASE}{consultation.pk}/questionnaire/"))
    assert f"{BASE}{consultation.pk}/questions/{third.pk}/monter/" in page
    assert f"{BASE}{consultation.pk}/questions/{third.pk}/descendre/" not in page
    response = admin.post(f"{BASE}{consultation.pk}/questions/{third.pk}/monter/")
    assert response["Location"].endswith(f"#question-{third.pk}")
    admin.post(f"{BASE}{consultation.pk}/questions/{first.pk}/descendre/")
    with schema_context(town_a.schema_name):
        order = list(section.questions.order_by("position").values_list("label", flat=True))
    assert order == ["C", "A", "B"]
    assert _actions(town_a) == ["consultation.question_move"] * 2


def test_a_dependant_question_cannot_move_before_its_question(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create(published_at=None)
        section = SectionFactory.create(consultation=consultation)
        parent = QuestionFactory.create(section=section, kind="yes_no", label="Parent")
        child = QuestionFactory.create(
            section=section, label="Enfant", show_if_question=parent, show_if_value="yes"
        )
    page = body(admin.post(f"{BASE}{consultation.pk}/questions/{child.pk}/monter/", follow=True))
    assert "Cette question dépend de la précédente : elle doit rester après." in page
    with schema_context(town_a.schema_name):
        assert list(section.questions.values_list("label", flat=True)) == ["Parent", "Enfant"]


def test_once_answered_the_questionnaire_is_locked_and_can_be_duplicated(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind()
        ResponseFactory.create(
            consultation=consultation, respondent=UserFactory.create(), answers={}
        )
    page = body(admin.get(f"{BASE}{consultation.pk}/questionnaire/"))
    assert "Des personnes ont déjà répondu à cette consultation" in page
    assert "Dupliquer cette consultation" in page
    assert f"/questions/{q['single'].pk}/monter/" not in page
    section = q["single"].section
    added = admin.post(
        f"{BASE}{consultation.pk}/sections/{section.pk}/questions/",
        {"kind": "short_text", "label": "Nouvelle", "scale_max": "5"},
    )
    assert added.status_code == 400
    assert "ses questions ne peuvent plus changer" in body(added)
    removed = admin.post(
        f"{BASE}{consultation.pk}/questions/{q['number'].pk}/supprimer/", follow=True
    )
    assert "ses questions ne peuvent plus changer" in body(removed)
    with schema_context(town_a.schema_name):
        assert consultation.questions.count() == len(q)
    copy = admin.post(f"{BASE}{consultation.pk}/dupliquer/")
    assert copy.status_code == 302
    with schema_context(town_a.schema_name):
        duplicate = Consultation.objects.exclude(pk=consultation.pk).get()
        assert duplicate.published_at is None and not duplicate.responses.exists()
        assert duplicate.questions.count() == len(q)
        child = duplicate.questions.get(label=q["conditional"].label)
        assert child.show_if_question is not None
        assert child.show_if_question.consultation_id == duplicate.pk
        assert child.show_if_question.label == q["yes_no"].label
    assert _actions(town_a) == ["consultation.duplicate"]


def test_audience_cannot_change_once_answered(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create()
        ResponseFactory.create(consultation=consultation, respondent=UserFactory.create())
    data = _form(
        title=consultation.title,
        audience="link",
        opens_at=timezone.localtime(consultation.opens_at).strftime("%Y-%m-%dT%H:%M"),
    )
    response = admin.post(f"{BASE}{consultation.pk}/", data)
    assert response.status_code == 400
    assert "qui peut répondre et la date d’ouverture ne peuvent plus changer" in body(response)
    with schema_context(town_a.schema_name):
        consultation.refresh_from_db()
        assert consultation.audience == "residents"


def test_publishing_tells_the_audience_once_in_batches(
    admin, admin_a, town_a, django_capture_on_commit_callbacks
) -> None:
    from accounts.models import User

    with schema_context(town_a.schema_name):
        consultation, _q = every_kind(published_at=None, created_by=admin_a)
        UserFactory.create_batch(3)
        gone = UserFactory.create()
        User.objects.filter(pk=gone.pk).update(is_active=False)
        expected = set(
            User.objects.filter(is_active=True).exclude(pk=admin_a.pk).values_list("pk", flat=True)
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"{BASE}{consultation.pk}/publier/")
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        told = Notification.objects.filter(kind="participation.new_consultation")
        recipients = list(told.values_list("recipient_id", flat=True))
        assert sorted(recipients) == sorted(expected)  # each once; not the admin who published
        assert {n.url for n in told} == {f"/consultations/{consultation.key}/"}
        # Run again (a retried task): nobody is told twice.
        assert notices.tell_residents(consultation.pk, batch_size=2) == 0
        assert told.count() == len(recipients)
    assert "participation.new_consultation" in {kind.code for kind in kinds.all_kinds()}
    assert _actions(town_a) == ["consultation.publish"]


def test_a_consultation_without_questions_is_not_published(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create(published_at=None)
    page = body(admin.post(f"{BASE}{consultation.pk}/publier/", follow=True))
    assert "Ajoutez au moins une question avant de publier." in page
    with schema_context(town_a.schema_name):
        consultation.refresh_from_db()
        assert consultation.published_at is None


def test_verified_audience_tells_only_verified_residents(town_a) -> None:
    from townsite.models import ResidentProfile

    with schema_context(town_a.schema_name):
        consultation = ConsultationFactory.create(audience="verified")
        verified, other = UserFactory.create(), UserFactory.create()
        ResidentProfile.objects.update_or_create(
            user=verified, defaults={"verified_at": timezone.now()}
        )
        audience = set(notices.audience_of(consultation))
    assert verified in audience and other not in audience
