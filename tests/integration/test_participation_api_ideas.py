"""The idea box through the API: list (sorts, filters, search), read, submit, support, follow;
the page's rules and French messages, nothing changed on a refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from participation.ideas import answers, services
from participation.ideas.factories import IdeaFactory, idea_category
from participation.ideas.models import Idea, IdeaFollow, IdeaSupport
from tenants.models import Collectivite
from tests.api_support import API, call, make_key
from tests.audit_support import only_entry
from tests.ideas_support import idea_form, new_idea, reload
from tests.mutual_aid_support import image_bytes, suspend
from tests.participation_api_support import idea_url
from townsite.models import Neighbourhood, TownProfile
from townsite.setup.queries import DEFAULT_CHARTER, LOOK_CACHE_KEY

pytestmark = pytest.mark.django_db

IDEAS = API + "ideas/"


@pytest.fixture
def resident(client_for, town_a, resident_a):
    return client_for(town_a, resident_a)


def _titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [idea["title"] for idea in response.json()["results"]]


def _ideas(town: Collectivite) -> list[str]:
    with schema_context(town.schema_name):
        return list(Idea.objects.order_by("pk").values_list("title", flat=True))


def _switch_ideas(enabled: bool) -> None:
    from django.core.cache import cache

    profile = TownProfile.objects.filter(pk=1).first() or TownProfile(pk=1, charter=DEFAULT_CHARTER)
    profile.ideas_enabled = enabled
    profile.save()
    cache.delete(LOOK_CACHE_KEY)


# --- Reading ------------------------------------------------------------------------------


@pytest.fixture
def four(town_a, moderator_a) -> dict[str, Idea]:
    """Four ideas, each first in one of the list's orders."""
    with schema_context(town_a.schema_name):
        now = timezone.now()
        ideas = {
            "supported": IdeaFactory.create(
                title="Des bancs", support_count=9, created_at=now - timedelta(days=4)
            ),
            "newest": IdeaFactory.create(title="Un potager", created_at=now),
            "discussed": IdeaFactory.create(
                title="Une fontaine", comment_count=7, created_at=now - timedelta(days=3)
            ),
            "answered": IdeaFactory.create(
                title="Un parking à vélos",
                category=idea_category("voirie-deplacements"),
                created_at=now - timedelta(days=2),
            ),
        }
        answers.answer_idea(
            moderator_a, ideas["answered"], status=Idea.Status.ACCEPTED, text="Nous le ferons."
        )
    return ideas


@pytest.mark.parametrize("sort", ["supported", "newest", "discussed", "answered"])
def test_the_list_sorts_as_the_page_does(resident, four, sort) -> None:
    titles = _titles(call(resident, "get", IDEAS, {"sort": sort}))
    assert titles[0] == four[sort].title
    assert sorted(titles) == sorted(idea.title for idea in four.values())


def test_the_list_filters_and_searches(resident, town_a, four) -> None:
    assert _titles(call(resident, "get", IDEAS, {"q": "fontaines"})) == ["Une fontaine"]
    assert _titles(call(resident, "get", IDEAS, {"category": "voirie-deplacements"})) == [
        "Un parking à vélos"
    ]
    assert _titles(call(resident, "get", IDEAS, {"status": "accepted"})) == ["Un parking à vélos"]
    with schema_context(town_a.schema_name):
        place = Neighbourhood.objects.create(name="Le Bourg")
        Idea.objects.filter(pk=four["newest"].pk).update(neighbourhood=place)
    listed = call(resident, "get", IDEAS, {"neighbourhood": str(place.pk)})
    assert _titles(listed) == ["Un potager"]
    assert listed.json()["results"][0]["neighbourhood"] == {"id": place.pk, "name": "Le Bourg"}


def test_hidden_and_merged_ideas_are_not_listed(resident, town_a, resident_a, moderator_a):
    with schema_context(town_a.schema_name):
        IdeaFactory.create(title="Visible")
        IdeaFactory.create(title="Masquée", hidden_at=timezone.now(), hidden_by=moderator_a)
        IdeaFactory.create(title="Ma masquée", author=resident_a, hidden_at=timezone.now())
        IdeaFactory.create(title="Fusionnée", status=Idea.Status.MERGED)
    assert _titles(call(resident, "get", IDEAS)) == ["Visible"]


def test_one_idea_reads_with_the_towns_answers_and_my_standing(
    resident, town_a, resident_a, four
) -> None:
    idea = four["answered"]
    with schema_context(town_a.schema_name):
        IdeaSupport.objects.create(idea=idea, user=resident_a)
    data = call(resident, "get", idea_url(idea.pk)).json()
    assert (data["status"], data["status_label"]) == ("accepted", "Acceptée")
    assert [(a["status"], a["previous_status"], a["text"]) for a in data["answers"]] == [
        ("accepted", "submitted", "Nous le ferons.")
    ]
    assert (data["supported"], data["following"], data["hidden"]) == (True, False, False)
    assert data["category"]["slug"] == "voirie-deplacements"
    assert data["page"].endswith(f"/idees/{idea.pk}/")


def test_an_idea_past_the_threshold_is_flagged(resident, town_a) -> None:
    idea = new_idea(town_a, support_count=50)
    assert call(resident, "get", idea_url(idea.pk)).json()["to_be_studied"] is True
    assert call(resident, "get", IDEAS).json()["results"][0]["to_be_studied"] is True


def test_a_hidden_idea_is_read_by_its_author_only(client_for, resident, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        mine = IdeaFactory.create(author=resident_a, hidden_at=timezone.now())
        other = UserFactory.create()
    assert call(resident, "get", idea_url(mine.pk)).json()["hidden"] is True
    assert call(client_for(town_a, other), "get", idea_url(mine.pk)).status_code == 404


def test_a_guest_reads_nothing(client_for, town_a, four) -> None:
    guest = client_for(town_a)
    for path in (IDEAS, idea_url(four["newest"].pk), idea_url(four["newest"].pk, "comments/")):
        assert call(guest, "get", path).status_code == 401


def test_the_module_switched_off_answers_404(resident, town_a, four) -> None:
    assert call(resident, "get", IDEAS).status_code == 200
    with schema_context(town_a.schema_name):
        _switch_ideas(False)
    for path in (IDEAS, idea_url(four["newest"].pk), API + "idea-categories/"):
        assert call(resident, "get", path).status_code == 404
    assert call(resident, "post", IDEAS, idea_form(town_a)).status_code == 404
    assert call(resident, "post", idea_url(four["newest"].pk, "support/")).status_code == 404
    assert reload(town_a, four["newest"]).support_count == 0


def test_the_categories_are_the_enabled_ones_in_order(resident, town_a) -> None:
    with schema_context(town_a.schema_name):
        from participation.ideas.models import IdeaCategory

        expected = list(IdeaCategory.objects.filter(enabled=True).values_list("slug", flat=True))
        IdeaCategory.objects.filter(slug="autre").update(enabled=False)
    slugs = [c["slug"] for c in call(resident, "get", API + "idea-categories/").json()]
    assert slugs == [slug for slug in expected if slug != "autre"]


@pytest.mark.parametrize("sort", ["supported", "answered"])
def test_the_list_costs_the_same_at_30_and_600_ideas(client_for, town_a, resident_a, sort) -> None:
    key = make_key(town_a, resident_a)

    def add(count: int) -> None:
        with schema_context(town_a.schema_name):
            authors = [UserFactory.create() for _ in range(3)]
            place = Neighbourhood.objects.create(name=f"Quartier {count}")
            ideas = Idea.objects.bulk_create(
                Idea(
                    author=authors[n % 3],
                    title=f"Idée {count}-{n}",
                    description="Un banc.",
                    category=idea_category("autre"),
                    neighbourhood=place,
                    answered_at=timezone.now() if n % 2 else None,
                )
                for n in range(count)
            )
            IdeaSupport.objects.bulk_create(
                IdeaSupport(idea=i, user=resident_a) for i in ideas[::2]
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = call(client_for(town_a), "get", IDEAS, {"sort": sort}, key=key)
        assert len(response.json()["results"]) == 20
        assert all(idea["author"] for idea in response.json()["results"])
        return len(captured)

    add(30)
    queries()
    small = queries()
    add(570)
    assert queries() == small


# --- Submitting ---------------------------------------------------------------------------


def test_a_resident_submits_an_idea_and_follows_it(resident, town_a, resident_a) -> None:
    response = call(resident, "post", IDEAS, idea_form(town_a))
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["title"], data["status"], data["following"], data["author"]["id"]) == (
        "Un passage piéton devant l'école",
        "submitted",
        True,
        resident_a.pk,
    )
    with schema_context(town_a.schema_name):
        idea = Idea.objects.get()
        assert IdeaFollow.objects.filter(idea=idea, user=resident_a).exists()
    assert only_entry(town_a, "idea.submit").actor_id == resident_a.pk


def test_an_idea_with_an_image_is_sent_as_multipart(
    client_for, town_a, resident_a, media_root
) -> None:
    key = make_key(town_a, resident_a)
    data = {
        **idea_form(town_a, image_description="Le carrefour"),
        "image": SimpleUploadedFile("photo.jpg", image_bytes(gps=True), "image/jpeg"),
    }
    response = client_for(town_a).post(IDEAS, data, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["image_description"] == "Le carrefour"
    path = created["image"].removeprefix("http://" + town_a.primary_host)
    assert path == idea_url(created["id"], "image/")
    served = client_for(town_a).get(path, HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT="image/*")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert b"PhoneCo" not in b"".join(served.streaming_content)  # re-encoded, EXIF gone


def test_a_file_that_is_not_an_image_is_refused(resident, client_for, town_a, resident_a):
    key = make_key(town_a, resident_a)
    data = {**idea_form(town_a), "image": SimpleUploadedFile("x.jpg", b"pas une image")}
    response = client_for(town_a).post(IDEAS, data, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 400
    assert list(response.json()) == ["image"]
    assert _ideas(town_a) == []


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"title": "  ", "description": ""},
            {
                "title": ["Donnez un titre à votre idée."],
                "description": ["Décrivez votre idée en quelques phrases."],
            },
        ),
        (
            {"title": "x" * 121},
            {"title": ["Écrivez au plus 120 caractères, s’il vous plaît (il y en a 121)."]},
        ),
        (
            {"description": "x" * 5001},
            {"description": ["Écrivez au plus 5000 caractères, s’il vous plaît (il y en a 5001)."]},
        ),
        ({"category": 999999}, {"category": ["Choisissez une catégorie dans la liste."]}),
        ({"category": None}, {"category": ["Choisissez une catégorie."]}),
        ({"title": ["une", "liste"]}, {"title": ["Chaîne de caractère invalide."]}),
    ],
)
def test_bad_ideas_are_refused_in_french_and_nothing_is_saved(
    resident, town_a, changes, errors
) -> None:
    response = call(resident, "post", IDEAS, {**idea_form(town_a), **changes})
    assert response.status_code == 400
    assert response.json() == errors
    assert _ideas(town_a) == []


def test_a_neighbourhood_not_of_the_town_is_refused(resident, town_a) -> None:
    with schema_context(town_a.schema_name):
        Neighbourhood.objects.create(name="Le Bourg")
    response = call(resident, "post", IDEAS, idea_form(town_a, neighbourhood=999999))
    assert response.status_code == 400
    assert response.json() == {"neighbourhood": ["Choisissez un lieu dans la liste."]}
    assert _ideas(town_a) == []


def test_script_and_html_are_stored_as_text(resident, town_a) -> None:
    script = "<script>alert('x')</script><b>gras</b>"
    response = call(resident, "post", IDEAS, idea_form(town_a, title=script, description=script))
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert (response.json()["title"], response.json()["description"]) == (script, script)
    assert _ideas(town_a) == [script]


def test_a_suspended_resident_cannot_submit(resident, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        suspend(None, resident_a)
    response = call(resident, "post", IDEAS, idea_form(town_a, title=""))
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Votre compte est suspendu par les modérateurs")
    assert _ideas(town_a) == []


def test_a_guest_cannot_submit(client_for, town_a) -> None:
    assert call(client_for(town_a), "post", IDEAS, idea_form(town_a)).status_code == 401
    assert _ideas(town_a) == []


def test_nothing_is_submitted_on_a_read_only_site(client_for, town_a, resident_a) -> None:
    key = make_key(town_a, resident_a)
    town_a.site_access = Collectivite.Access.READ_ONLY
    town_a.save(update_fields=["site_access"])
    assert call(client_for(town_a), "get", IDEAS, key=key).status_code == 200  # still read
    response = call(client_for(town_a), "post", IDEAS, idea_form(town_a), key=key)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Ce site est en lecture seule pour le moment : personne ne peut publier."
    }
    assert _ideas(town_a) == []


# --- Supports and follows -----------------------------------------------------------------


def test_a_resident_supports_then_withdraws(resident, town_a, resident_a) -> None:
    idea = new_idea(town_a)
    supported = call(resident, "post", idea_url(idea.pk, "support/"))
    assert supported.status_code == 200
    assert supported.json() == {
        "id": idea.pk,
        "support_count": 1,
        "supported": True,
        "following": False,
    }
    withdrawn = call(resident, "delete", idea_url(idea.pk, "support/"))
    assert withdrawn.json()["support_count"] == 0
    assert withdrawn.json()["supported"] is False
    with schema_context(town_a.schema_name):
        assert not IdeaSupport.objects.exists()


def test_supporting_twice_is_refused_and_counts_once(resident, town_a, resident_a) -> None:
    idea = new_idea(town_a)
    assert call(resident, "post", idea_url(idea.pk, "support/")).status_code == 200
    again = call(resident, "post", idea_url(idea.pk, "support/"))
    assert again.status_code == 409
    assert again.json() == {
        "detail": "Vous soutenez déjà cette idée : un seul soutien par personne."
    }
    assert reload(town_a, idea).support_count == 1
    with schema_context(town_a.schema_name):
        assert IdeaSupport.objects.filter(user=resident_a).count() == 1


def test_supporting_ones_own_idea_twice_is_refused(resident, town_a, resident_a) -> None:
    idea = new_idea(town_a, author=resident_a)
    assert call(resident, "post", idea_url(idea.pk, "support/")).status_code == 200
    again = call(resident, "post", idea_url(idea.pk, "support/"))
    assert again.status_code == 409
    assert again.json() == {
        "detail": "Vous soutenez déjà votre propre idée : un seul soutien par personne."
    }
    assert reload(town_a, idea).support_count == 1


def test_a_closed_idea_is_not_supported(resident, town_a) -> None:
    idea = new_idea(town_a, status=Idea.Status.DONE)
    response = call(resident, "post", idea_url(idea.pk, "support/"))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Cette idée est close : on ne peut plus la soutenir ni la commenter."
    }
    assert reload(town_a, idea).support_count == 0


def test_a_suspended_resident_cannot_support(resident, town_a, resident_a) -> None:
    idea = new_idea(town_a)
    with schema_context(town_a.schema_name):
        suspend(None, resident_a)
    assert call(resident, "post", idea_url(idea.pk, "support/")).status_code == 403
    assert reload(town_a, idea).support_count == 0


def test_a_resident_follows_and_unfollows(resident, town_a, resident_a) -> None:
    idea = new_idea(town_a)
    followed = call(resident, "post", idea_url(idea.pk, "follow/"))
    assert (followed.status_code, followed.json()["following"]) == (200, True)
    assert call(resident, "post", idea_url(idea.pk, "follow/")).json()["following"] is True
    with schema_context(town_a.schema_name):
        assert IdeaFollow.objects.filter(idea=idea, user=resident_a).count() == 1
    assert call(resident, "delete", idea_url(idea.pk, "follow/")).json()["following"] is False
    with schema_context(town_a.schema_name):
        assert not IdeaFollow.objects.filter(idea=idea, user=resident_a).exists()


def test_the_service_refuses_a_second_support_as_the_page_shows_it(town_a, resident_a):
    """The API's 409 rests on the service's own refusal, which the page shows as before."""
    idea = new_idea(town_a)
    with schema_context(town_a.schema_name):
        services.support(resident_a, idea)
        with pytest.raises(services.AlreadySupported):
            services.support(resident_a, idea)
        assert issubclass(services.AlreadySupported, services.NotAllowed)


def test_the_list_is_in_numbered_pages(resident, town_a) -> None:
    with schema_context(town_a.schema_name):
        for n in range(3):
            IdeaFactory.create(title=f"Idée {n}", support_count=n)
    first = call(resident, "get", IDEAS, {"page_size": "2"}).json()
    assert (first["count"], _titles_of(first)) == (3, ["Idée 2", "Idée 1"])
    second = call(resident, "get", IDEAS, {"page_size": "2", "page": "2"}).json()
    assert (second["next"], _titles_of(second)) == (None, ["Idée 0"])
    beyond = call(resident, "get", IDEAS, {"page_size": "2", "page": "3"})
    assert beyond.status_code == 404
    assert beyond.json() == {"detail": "Cette page n’existe pas."}


def _titles_of(page: dict[str, Any]) -> list[str]:
    return [idea["title"] for idea in page["results"]]


def test_a_suspended_site_answers_programs_in_json(client_for, town_a, resident_a) -> None:
    idea = new_idea(town_a)
    key = make_key(town_a, resident_a)
    town_a.site_access = Collectivite.Access.ADMINS_ONLY
    town_a.save(update_fields=["site_access"])
    for path in (IDEAS, idea_url(idea.pk), API + "consultations/"):
        response = call(client_for(town_a), "get", path, key=key)
        assert response.status_code == 503
        assert response.json() == {"detail": "Ce site est fermé pour le moment."}
