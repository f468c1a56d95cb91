"""Published results after closing, on a page for everyone on the town's site (with the
confidentiality rule for small groups), withdrawn in two steps; the town's conclusion, sanitised,
told once to every resident who answered."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from notifications.kinds import get as kind
from notifications.models import Notification
from participation.consultations.conclusion import CONCLUSION, tell_participants
from participation.consultations.factories import ResponseFactory
from participation.consultations.models import Consultation, ConsultationResponse
from tenants.models import AuditEntry
from tests.consultation_support import closed_fields, every_kind, switch_module
from tests.helpers import body
from townsite.models import Neighbourhood

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(town_a):
    with schema_context(town_a.schema_name):
        consultation, q = every_kind(title="Place du marché", **closed_fields())
        for choice in ("À pied", "À pied", "À vélo"):
            ResponseFactory.create(
                consultation=consultation,
                respondent=UserFactory.create(),
                answers={str(q["single"].pk): choice},
            )
    return consultation, q


def _staff(consultation, tail=""):
    return f"/administration/consultations/{consultation.pk}/{tail}"


def _publish(admin, consultation):
    return admin.post(_staff(consultation, "resultats/publier/"), follow=True)


def test_results_cannot_be_published_before_closing(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation, _q = every_kind()
    page = body(_publish(admin, consultation))
    assert "Les résultats ne peuvent être publiés qu’une fois la consultation close" in page
    with schema_context(town_a.schema_name):
        consultation.refresh_from_db()
        assert consultation.results_published_at is None
        assert not AuditEntry.objects.filter(action="consultation.results_publish").exists()


def test_published_after_closing_everyone_reads_them(admin, client_for, town_a, closed) -> None:
    consultation, _q = closed
    guest = client_for(town_a)
    url = f"/consultations/{consultation.key}/resultats/"
    assert guest.get(url).status_code == 404
    assert "Les résultats sont publiés" in body(_publish(admin, consultation))
    with schema_context(town_a.schema_name):
        consultation.refresh_from_db()
        assert consultation.results_published_at is not None
        assert AuditEntry.objects.filter(action="consultation.results_publish").count() == 1
    page = body(guest.get(url))
    assert "Résultats : Place du marché" in page
    assert "3 réponses en tout." in page
    assert '<figure class="chart"' in page
    # Linked from the list (a guest's list shows the published results) and the page.
    assert url in body(guest.get("/consultations/"))


def test_the_consultation_page_and_list_link_to_published_results(
    client_for, town_a, resident_a, closed
) -> None:
    consultation, _q = closed
    resident = client_for(town_a, resident_a)
    url = f"/consultations/{consultation.key}/resultats/"
    assert url not in body(resident.get(f"/consultations/{consultation.key}/"))
    with schema_context(town_a.schema_name):
        Consultation.objects.filter(pk=consultation.pk).update(
            results_published_at=consultation.closes_at
        )
    assert url in body(resident.get(f"/consultations/{consultation.key}/"))
    assert url in body(resident.get("/consultations/"))


def test_a_module_switched_off_hides_published_results(client_for, town_a, closed) -> None:
    consultation, _q = closed
    with schema_context(town_a.schema_name):
        Consultation.objects.filter(pk=consultation.pk).update(
            results_published_at=consultation.closes_at
        )
        switch_module(False)
    assert (
        client_for(town_a).get(f"/consultations/{consultation.key}/resultats/").status_code == 404
    )


def test_staff_preview_the_page_before_publishing(admin, closed) -> None:
    consultation, _q = closed
    page = body(admin.get(f"/consultations/{consultation.key}/resultats/"))
    assert "Aperçu : ces résultats ne sont pas publiés" in page


def test_withdrawing_takes_two_steps(admin, client_for, town_a, closed) -> None:
    consultation, _q = closed
    _publish(admin, consultation)
    asked = admin.get(_staff(consultation, "resultats/retirer/"))
    assert "Retirer les résultats ?" in body(asked)
    admin.post(_staff(consultation, "resultats/retirer/"))  # no confirmation: nothing changes
    with schema_context(town_a.schema_name):
        consultation.refresh_from_db()
        assert consultation.results_published_at is not None
    admin.post(_staff(consultation, "resultats/retirer/"), {"confirm": "yes"})
    with schema_context(town_a.schema_name):
        consultation.refresh_from_db()
        assert consultation.results_published_at is None
        assert AuditEntry.objects.filter(action="consultation.results_unpublish").count() == 1
    url = f"/consultations/{consultation.key}/resultats/"
    assert client_for(town_a).get(url).status_code == 404


def test_a_small_group_is_not_shown_on_the_published_page(
    admin, client_for, town_a, closed
) -> None:
    consultation, q = closed
    with schema_context(town_a.schema_name):
        big, small = (Neighbourhood.objects.create(name=name) for name in ("Centre", "Hameau"))
        for _n in range(5):
            ResponseFactory.create(
                consultation=consultation,
                neighbourhood=big,
                respondent=UserFactory.create(),
                answers={str(q["single"].pk): "En voiture"},
            )
        ResponseFactory.create(
            consultation=consultation,
            neighbourhood=small,
            respondent=UserFactory.create(),
            answers={str(q["single"].pk): "À vélo"},
        )
    _publish(admin, consultation)
    guest = client_for(town_a)
    url = f"/consultations/{consultation.key}/resultats/"
    page = body(guest.get(url))
    assert f'<option value="{big.pk}">Centre (5 réponses)</option>' in page
    assert "Hameau" not in page
    assert "1 groupe de moins de 5 réponses n’est pas montré à part" in page
    hidden = body(guest.get(url, {"quartier": small.pk}))
    assert "Moins de 5 personnes de Hameau ont répondu" in hidden
    assert '<figure class="chart"' not in hidden
    assert "Centre : 5 réponses." in body(guest.get(url, {"quartier": big.pk}))
    # Staff see every group, small ones too.
    staff_page = body(admin.get(_staff(consultation, "resultats/"), {"quartier": small.pk}))
    assert "Hameau : 1 réponse." in staff_page


# --- the conclusion ---------------------------------------------------------------------------


def _conclude(admin, consultation, html, action="publish"):
    return admin.post(
        _staff(consultation, "conclusion/"),
        {"conclusion_html": html, "action": action},
        follow=True,
    )


@pytest.mark.parametrize("html", ["", "   ", "<p> </p>", "<script>alert(1)</script>"])
def test_an_empty_conclusion_is_refused_and_nothing_saved(admin, town_a, closed, html) -> None:
    consultation, _q = closed
    response = _conclude(admin, consultation, html)
    assert response.status_code == 400
    assert "Écrivez la conclusion : ce que la commune va faire maintenant." in body(response)
    with schema_context(town_a.schema_name):
        consultation.refresh_from_db()
        assert (consultation.conclusion_html, consultation.conclusion_published_at) == ("", None)


def test_the_conclusion_keeps_only_the_allowed_tags(admin, town_a, closed) -> None:
    consultation, _q = closed
    typed = (
        '<p onclick="x()">Nous <strong>planterons</strong> 20 arbres.</p>'
        "<script>alert(1)</script><img src=x onerror=alert(2)>"
    )
    page = body(_conclude(admin, consultation, typed, action="save"))
    assert "Une partie de la mise en forme n’est pas autorisée et a été retirée" in page
    with schema_context(town_a.schema_name):
        consultation.refresh_from_db()
    assert consultation.conclusion_html == "<p>Nous <strong>planterons</strong> 20 arbres.</p>"
    assert consultation.conclusion_published_at is None


def test_the_conclusion_cannot_be_published_before_closing(admin, town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation, _q = every_kind()
    page = body(_conclude(admin, consultation, "<p>Nous ferons.</p>"))
    assert "La conclusion ne peut être publiée qu’une fois la consultation close." in page
    with schema_context(town_a.schema_name):
        consultation.refresh_from_db()
        assert (consultation.conclusion_html, consultation.conclusion_published_at) == ("", None)


def test_publishing_the_conclusion_tells_each_participant_once(
    admin, admin_a, town_a, closed, django_capture_on_commit_callbacks
) -> None:
    consultation, q = closed
    with schema_context(town_a.schema_name):
        ResponseFactory.create(
            consultation=consultation,
            channel=ConsultationResponse.Channel.PAPER,
            entered_by=admin_a,
            answers={str(q["single"].pk): "À pied"},
        )
        ResponseFactory.create(
            consultation=consultation, browser_key="b" * 64, answers={str(q["single"].pk): "À pied"}
        )
        stranger = UserFactory.create()  # did not answer
        participants = set(
            consultation.responses.exclude(respondent=None).values_list("respondent_id", flat=True)
        )
    with django_capture_on_commit_callbacks(execute=True):
        page = body(_conclude(admin, consultation, "<p>Nous planterons des arbres.</p>"))
    assert "La conclusion est publiée : chaque participant est prévenu." in page
    with schema_context(town_a.schema_name):
        told = Notification.objects.filter(kind=CONCLUSION.code)
        assert set(told.values_list("recipient_id", flat=True)) == participants
        assert len(participants) == 3 and stranger.pk not in participants
        notice = told.get(recipient_id=min(participants))
        assert notice.title == "Ce que la commune va faire après « Place du marché »"
        assert notice.url == f"/consultations/{consultation.key}/#conclusion"
        # A retried task tells nobody twice; a change to the conclusion tells nobody again.
        assert tell_participants(consultation.pk) == 0
    with django_capture_on_commit_callbacks(execute=True):
        _conclude(admin, consultation, "<p>Nous planterons 30 arbres.</p>", action="save")
    with schema_context(town_a.schema_name):
        assert Notification.objects.filter(kind=CONCLUSION.code).count() == 3
        consultation.refresh_from_db()
        assert consultation.conclusion_html == "<p>Nous planterons 30 arbres.</p>"
        assert list(
            AuditEntry.objects.filter(action__startswith="consultation.conclusion")
            .order_by("pk")
            .values_list("action", flat=True)
        ) == ["consultation.conclusion_publish", "consultation.conclusion_change"]


def test_tell_participants_goes_in_batches(town_a, closed) -> None:
    consultation, _q = closed
    with schema_context(town_a.schema_name):
        Consultation.objects.filter(pk=consultation.pk).update(
            conclusion_html="<p>Fait.</p>", conclusion_published_at=consultation.closes_at
        )
        assert tell_participants(consultation.pk, batch_size=2) == 3
        assert tell_participants(consultation.pk, batch_size=2) == 0


def test_the_conclusion_shows_on_the_consultation_and_results_pages(
    client_for, town_a, resident_a, closed
) -> None:
    consultation, _q = closed
    with schema_context(town_a.schema_name):
        Consultation.objects.filter(pk=consultation.pk).update(
            conclusion_html="<p>Nous planterons des arbres.</p>",
            conclusion_published_at=consultation.closes_at,
            results_published_at=consultation.closes_at,
        )
    resident = client_for(town_a, resident_a)
    for path in (
        f"/consultations/{consultation.key}/",
        f"/consultations/{consultation.key}/resultats/",
    ):
        page = body(resident.get(path))
        assert 'id="conclusion"' in page and "<p>Nous planterons des arbres.</p>" in page


def test_residents_may_mute_the_conclusion_kind() -> None:
    assert kind("participation.consultation_conclusion").label == CONCLUSION.label
