"""The conversation pages: the post's panel, answering, a conversation, the inbox, help given."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.conversations import services
from mutual_aid.factories import PostFactory, category
from mutual_aid.models import Conversation, Message, Post
from tenants.models import Collectivite
from tests.helpers import body
from tests.mutual_aid_support import suspend

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def people(town_a: Collectivite) -> Iterator[dict[str, User]]:
    with schema_context(town_a.schema_name):
        author = UserFactory.create(display_name="Colette", email="colette.secret@example.org")
        neighbour = UserFactory.create(display_name="Bastien", email="bastien.secret@example.org")
        yield {"author": author, "neighbour": neighbour}


@pytest.fixture
def post(town_a: Collectivite, people: dict[str, User]) -> Post:
    with schema_context(town_a.schema_name):
        return PostFactory.create(author=people["author"], title="Courses du samedi")


@pytest.fixture
def author(client_for: Callable[..., Client], town_a, people) -> Client:
    return client_for(town_a, people["author"])


@pytest.fixture
def neighbour(client_for: Callable[..., Client], town_a, people) -> Client:
    return client_for(town_a, people["neighbour"])


def _conversation(town_a, post, people, text: str = "Bonjour") -> Conversation:
    with schema_context(town_a.schema_name):
        return services.start_conversation(post, people["neighbour"], body=text)


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return body(response)


# --- The post's panel ------------------------------------------------------------------------


def test_a_neighbour_sees_the_answer_form_on_the_post(neighbour, post) -> None:
    page = _page(neighbour, reverse("mutual_aid:detail", args=[post.pk]))
    assert f'action="{reverse("mutual_aid:answer", args=[post.pk])}"' in page
    assert "Écrire à Colette" in page


def test_the_author_sees_who_answered_with_unread_counts(author, town_a, post, people) -> None:
    conversation = _conversation(town_a, post, people)
    page = _page(author, reverse("mutual_aid:detail", args=[post.pk]))
    assert reverse("mutual_aid:conversation", args=[conversation.pk]) in page
    assert "1 message non lu" in page
    assert f'action="{reverse("mutual_aid:mark_helped", args=[post.pk])}"' in page
    assert "Écrire à" not in page


def test_who_answered_gets_a_link_to_their_conversation(neighbour, town_a, post, people) -> None:
    conversation = _conversation(town_a, post, people)
    page = _page(neighbour, reverse("mutual_aid:detail", args=[post.pk]))
    assert reverse("mutual_aid:conversation", args=[conversation.pk]) in page
    assert "Voir ma conversation avec l’auteur" in page


def test_someone_who_cannot_answer_is_told_why(neighbour, town_a, post) -> None:
    with schema_context(town_a.schema_name):
        Post.objects.filter(pk=post.pk).update(status=Post.Status.CLOSED)
    page = _page(neighbour, reverse("mutual_aid:detail", args=[post.pk]))
    assert "Cette annonce n&#x27;accepte plus de réponses." in page
    assert reverse("mutual_aid:answer", args=[post.pk]) not in page


# --- Answering -----------------------------------------------------------------------------


def test_answering_opens_the_conversation_page(neighbour, town_a, post) -> None:
    response = neighbour.post(reverse("mutual_aid:answer", args=[post.pk]), {"body": "Je peux"})
    with schema_context(town_a.schema_name):
        conversation = Conversation.objects.get(post=post)
    assert response.status_code == 302
    assert response["Location"] == reverse("mutual_aid:conversation", args=[conversation.pk])


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Écrivez votre message"), ("mot " * 2500, "Votre message est trop long")],
    ids=["empty", "10000-characters"],
)
def test_a_bad_answer_is_explained_and_the_text_kept(neighbour, town_a, post, text, message):
    response = neighbour.post(reverse("mutual_aid:answer", args=[post.pk]), {"body": text})
    assert response.status_code == 400
    assert message in body(response)
    assert text.strip()[:200] in body(response)
    with schema_context(town_a.schema_name):
        assert not Conversation.objects.exists()


def test_the_author_cannot_answer_their_own_post(author, town_a, post) -> None:
    response = author.post(reverse("mutual_aid:answer", args=[post.pk]), {"body": "Moi"})
    assert response.status_code == 403
    assert "votre propre annonce" in body(response)
    with schema_context(town_a.schema_name):
        assert not Conversation.objects.exists()


def test_a_suspended_resident_cannot_answer(neighbour, town_a, post, people, monkeypatch):
    suspend(monkeypatch, people["neighbour"])
    response = neighbour.post(reverse("mutual_aid:answer", args=[post.pk]), {"body": "Bonjour"})
    assert response.status_code == 403
    assert "Votre compte est suspendu par les modérateurs" in body(response)
    with schema_context(town_a.schema_name):
        assert not Conversation.objects.exists()


def test_a_first_sensitive_message_with_a_phone_is_refused_and_kept(
    neighbour, town_a, people
) -> None:
    with schema_context(town_a.schema_name):
        childcare = PostFactory.create(author=people["author"], category=category("garde-enfants"))
    text = "Appelez-moi au 06.12.34.56.78"
    response = neighbour.post(reverse("mutual_aid:answer", args=[childcare.pk]), {"body": text})
    assert response.status_code == 400
    page = body(response)
    assert "Pour votre sécurité" in page
    assert text in page
    assert "119" in page  # the help lines are on the page
    with schema_context(town_a.schema_name):
        assert not Conversation.objects.exists()


def test_answering_on_a_read_only_site_is_refused(neighbour, town_a, post) -> None:
    town_a.site_access = Collectivite.Access.READ_ONLY
    town_a.save(update_fields=["site_access"])
    response = neighbour.post(reverse("mutual_aid:answer", args=[post.pk]), {"body": "Bonjour"})
    assert response.status_code == 403
    with schema_context(town_a.schema_name):
        assert not Conversation.objects.exists()


def test_the_answer_page_without_javascript(neighbour, post) -> None:
    page = _page(neighbour, reverse("mutual_aid:answer", args=[post.pk]))
    assert "Votre message ira seulement à Colette." in page


# --- The conversation ------------------------------------------------------------------------


def test_the_conversation_shows_messages_oldest_first_and_marks_them_read(
    author, town_a, post, people
) -> None:
    conversation = _conversation(town_a, post, people, "Premier")
    with schema_context(town_a.schema_name):
        services.send_message(conversation, people["neighbour"], body="Second")
    page = _page(author, reverse("mutual_aid:conversation", args=[conversation.pk]))
    assert page.index("Premier") < page.index("Second")
    with schema_context(town_a.schema_name):
        conversation.refresh_from_db()
        assert conversation.author_read_at is not None
        assert conversation.author_read_at >= conversation.last_message_at


def test_the_last_message_shows_read_once_the_other_has_read_it(
    author, neighbour, town_a, post, people
) -> None:
    conversation = _conversation(town_a, post, people)
    url = reverse("mutual_aid:conversation", args=[conversation.pk])
    assert "Envoyé" in _page(neighbour, url)
    _page(author, url)
    page = _page(neighbour, url)
    assert ">Lu<" in page and "Envoyé" not in page


def test_a_reply_without_javascript_redirects_to_the_message(author, town_a, post, people):
    conversation = _conversation(town_a, post, people)
    url = reverse("mutual_aid:conversation", args=[conversation.pk])
    response = author.post(url, {"body": "Avec plaisir"})
    with schema_context(town_a.schema_name):
        message = Message.objects.get(body="Avec plaisir")
    assert response.status_code == 302
    assert response["Location"] == f"{url}#message-{message.pk}"


def test_a_reply_with_htmx_returns_the_thread(author, town_a, post, people) -> None:
    conversation = _conversation(town_a, post, people)
    url = reverse("mutual_aid:conversation", args=[conversation.pk])
    response = author.post(url, {"body": "Avec plaisir"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = body(response)
    assert page.lstrip().startswith('<div id="thread"')
    assert "Avec plaisir" in page and "<html" not in page


def test_an_empty_reply_with_htmx_shows_the_error_in_place(author, town_a, post, people):
    conversation = _conversation(town_a, post, people)
    url = reverse("mutual_aid:conversation", args=[conversation.pk])
    response = author.post(url, {"body": " "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Écrivez votre message avant de l’envoyer." in body(response)
    with schema_context(town_a.schema_name):
        assert conversation.messages.count() == 1


def test_html_in_messages_and_thanks_is_shown_as_text(
    author, neighbour, town_a, post, people
) -> None:
    conversation = _conversation(town_a, post, people, SCRIPT)
    page = _page(author, reverse("mutual_aid:conversation", args=[conversation.pk]))
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    response = author.post(
        reverse("mutual_aid:mark_helped", args=[post.pk]),
        {"helper": people["neighbour"].pk, "thanks": SCRIPT, "thanks_public": "on"},
    )
    assert response.status_code == 302
    shown = _page(neighbour, reverse("mutual_aid:detail", args=[post.pk]))
    assert SCRIPT not in shown
    assert "&lt;script&gt;" in shown


def test_no_email_address_is_ever_shown(author, neighbour, town_a, post, people) -> None:
    conversation = _conversation(town_a, post, people)
    pages = [
        _page(author, reverse("mutual_aid:conversation", args=[conversation.pk])),
        _page(author, reverse("mutual_aid:conversations")),
        _page(author, reverse("mutual_aid:detail", args=[post.pk])),
        _page(neighbour, reverse("mutual_aid:my_answers")),
    ]
    for page in pages:
        assert "colette.secret" not in page and "bastien.secret" not in page


def test_a_deleted_post_leaves_the_conversation_readable_not_writable(
    neighbour, town_a, post, people
) -> None:
    conversation = _conversation(town_a, post, people, "Je garde ce message")
    with schema_context(town_a.schema_name):
        Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now(), title="Autre titre")
    url = reverse("mutual_aid:conversation", args=[conversation.pk])
    page = _page(neighbour, url)
    assert "Je garde ce message" in page and "Courses du samedi" in page
    assert "L’annonce a été supprimée" in page
    assert 'name="body"' not in page
    response = neighbour.post(url, {"body": "Encore"})
    assert response.status_code == 400
    with schema_context(town_a.schema_name):
        assert conversation.messages.count() == 1


def test_the_conversation_of_a_sensitive_post_shows_the_help_lines(neighbour, town_a, people):
    with schema_context(town_a.schema_name):
        childcare = PostFactory.create(author=people["author"], category=category("soutien-moral"))
        conversation = services.start_conversation(childcare, people["neighbour"], body="Bonjour")
    page = _page(neighbour, reverse("mutual_aid:conversation", args=[conversation.pk]))
    assert "3114" in page and "SOS Amitié" in page


def test_an_ordinary_conversation_has_no_safety_notice(neighbour, town_a, post, people):
    conversation = _conversation(town_a, post, people)
    page = _page(neighbour, reverse("mutual_aid:conversation", args=[conversation.pk]))
    assert "safety-notice" not in page


# --- The inbox -------------------------------------------------------------------------------


def test_the_inbox_lists_both_roles_unread_first(client_for, town_a, post, people) -> None:
    with schema_context(town_a.schema_name):
        other_post = PostFactory.create(title="Tonte de pelouse")
        mine = services.start_conversation(other_post, people["author"], body="Je tonds")
        theirs = services.start_conversation(post, people["neighbour"], body="Bonjour")
    page = _page(client_for(town_a, people["author"]), reverse("mutual_aid:conversations"))
    # `theirs` is unread by Colette, `mine` is read (she wrote it): unread first.
    assert page.index("Courses du samedi") < page.index("Tonte de pelouse")
    assert "1 conversation avec des messages non lus" in page
    assert reverse("mutual_aid:conversation", args=[mine.pk]) in page
    assert reverse("mutual_aid:conversation", args=[theirs.pk]) in page


def test_my_answers_lists_only_the_posts_i_answered(client_for, town_a, post, people) -> None:
    with schema_context(town_a.schema_name):
        other_post = PostFactory.create(title="Tonte de pelouse")
        services.start_conversation(other_post, people["author"], body="Je tonds")
        services.start_conversation(post, people["neighbour"], body="Bonjour")
    page = _page(client_for(town_a, people["author"]), reverse("mutual_aid:my_answers"))
    assert "Tonte de pelouse" in page and "Courses du samedi" not in page


def _inbox_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        _page(client, reverse("mutual_aid:conversations"))
    return len(queries)


@pytest.mark.parametrize("extra", [0, 15])
def test_the_inbox_costs_the_same_whatever_the_number_of_conversations(
    client_for, town_a, people, extra
) -> None:
    client = client_for(town_a, people["author"])
    with schema_context(town_a.schema_name):
        for _ in range(3):
            services.start_conversation(
                PostFactory.create(author=people["author"]), UserFactory.create(), body="Bonjour"
            )
    _page(client, reverse("mutual_aid:conversations"))  # session and site look now cached
    baseline = _inbox_queries(client)
    with schema_context(town_a.schema_name):
        for _ in range(extra):
            services.start_conversation(
                PostFactory.create(author=people["author"]), UserFactory.create(), body="Bonjour"
            )
            services.start_conversation(PostFactory.create(), people["author"], body="Salut")
    assert _inbox_queries(client) == baseline


# --- Help given ------------------------------------------------------------------------------


def test_the_author_marks_the_help_given_with_public_thanks(
    author, neighbour, town_a, post, people
) -> None:
    _conversation(town_a, post, people)
    response = author.post(
        reverse("mutual_aid:mark_helped", args=[post.pk]),
        {"helper": people["neighbour"].pk, "thanks": "Merci Bastien !", "thanks_public": "on"},
    )
    assert response.status_code == 302
    page = _page(neighbour, reverse("mutual_aid:detail", args=[post.pk]))
    assert "Merci Bastien !" in page and "Colette remercie Bastien" in page


def test_private_thanks_stay_off_the_post(author, neighbour, town_a, post, people) -> None:
    _conversation(town_a, post, people)
    author.post(
        reverse("mutual_aid:mark_helped", args=[post.pk]),
        {"helper": people["neighbour"].pk, "thanks": "Merci en privé"},
    )
    page = _page(neighbour, reverse("mutual_aid:detail", args=[post.pk]))
    assert "Merci en privé" not in page
    assert "L’auteur indique que l’aide a été apportée." in page


def test_thanks_without_a_helper_are_explained_and_kept(author, town_a, post, people) -> None:
    _conversation(town_a, post, people)
    response = author.post(
        reverse("mutual_aid:mark_helped", args=[post.pk]), {"thanks": "Merci à vous"}
    )
    assert response.status_code == 400
    assert "Choisissez qui vous a aidé" in body(response)
    assert "Merci à vous" in body(response)
    with schema_context(town_a.schema_name):
        assert Post.objects.get(pk=post.pk).status == Post.Status.OPEN


def test_a_helper_who_never_answered_is_refused(author, town_a, post, people) -> None:
    _conversation(town_a, post, people)
    with schema_context(town_a.schema_name):
        stranger = UserFactory.create()
    response = author.post(
        reverse("mutual_aid:mark_helped", args=[post.pk]), {"helper": stranger.pk}
    )
    assert response.status_code == 400
    with schema_context(town_a.schema_name):
        assert Post.objects.get(pk=post.pk).status == Post.Status.OPEN


def test_no_conversation_form_writes_on_a_read_only_site(
    author, neighbour, town_a, post, people
) -> None:
    conversation = _conversation(town_a, post, people)
    town_a.site_access = Collectivite.Access.READ_ONLY
    town_a.save(update_fields=["site_access"])
    posts = [
        (neighbour, reverse("mutual_aid:conversation", args=[conversation.pk]), {"body": "Re"}),
        (author, reverse("mutual_aid:mark_helped", args=[post.pk]), {}),
        (author, reverse("mutual_aid:following"), {"categories": []}),
    ]
    for client, url, data in posts:
        assert client.post(url, data).status_code == 403
    with schema_context(town_a.schema_name):
        assert conversation.messages.count() == 1
        assert Post.objects.get(pk=post.pk).status == Post.Status.OPEN
    # Reading still works.
    assert "Bonjour" in _page(neighbour, reverse("mutual_aid:conversation", args=[conversation.pk]))
