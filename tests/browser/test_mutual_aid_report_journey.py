"""A resident reports a post from its page; a moderator hides it from the queue, and the post
leaves the list: axe-core finds nothing to fix or to review on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from mutual_aid.factories import PostFactory
from mutual_aid.models import Post
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS
from townsite.moderation.models import ModerationAction, Report

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
TITLE = "Vente de cigarettes à la sortie du collège"
PEOPLE = {
    "author": ("annonce-auteur@town-a.example", "Gaston Douteux", User.Role.RESIDENT),
    "reporter": ("annonce-temoin@town-a.example", "Odile Attentive", User.Role.RESIDENT),
    "moderator": ("annonce-moderation@town-a.example", "Modération Mairie", User.Role.MODERATOR),
}


@pytest.fixture
def people(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            made: dict[str, Any] = {
                key: create_member(
                    email=email, display_name=name, role=role, password=TEST_PASSWORD
                )
                for key, (email, name, role) in PEOPLE.items()
            }
            made["post"] = PostFactory.create(author=made["author"], title=TITLE)
    yield made
    with django_db_blocker.unblock(), schema_context(schema):
        ModerationAction.objects.all().delete()
        Report.objects.all().delete()
        Post.objects.filter(title=TITLE).delete()
        User.objects.filter(email__in=[email for email, _n, _r in PEOPLE.values()]).delete()


def test_a_reported_post_is_hidden_by_a_moderator(
    live_server_any_host: LiveServer,
    browser: Any,
    page: Any,
    people: dict[str, Any],
    django_db_blocker: Any,
) -> None:
    url = live_server_any_host.url
    post = people["post"]
    log_in(page, live_server_any_host, HOST, PEOPLE["reporter"][0], TEST_PASSWORD)
    page.goto(url(HOST, f"/entraide/{post.pk}/"))
    page.get_by_role("link", name="Signaler cette annonce").click()
    assert_accessible(page)
    page.get_by_label("Publicité, spam ou arnaque").check()
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.get_by_role("heading", name="Merci, votre signalement est envoyé").wait_for()

    context = browser.new_context(locale="fr-FR")
    try:
        staff = context.new_page()
        log_in(staff, live_server_any_host, HOST, PEOPLE["moderator"][0], TEST_PASSWORD)
        staff.goto(url(HOST, "/administration/moderation/"))
        item = staff.get_by_test_id("queue-item")
        assert TITLE in item.inner_text()
        item.get_by_role("link", name=re.compile("Examiner")).click()
        assert_accessible(staff)
        staff.get_by_label("Masquer le contenu").check()
        staff.get_by_label("Motif").fill("Vente interdite, contraire à la charte.")
        staff.get_by_role("button", name="Confirmer la décision").click()
        staff.wait_for_url(url(HOST, "/administration/moderation/"))
        assert staff.get_by_text("Rien à examiner.").is_visible()
    finally:
        context.close()

    page.goto(url(HOST, "/entraide/"))
    assert page.get_by_role("heading", name="Entraide").is_visible()
    assert page.get_by_text(TITLE).count() == 0
    assert_accessible(page)
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            hidden = Post.objects.get(pk=post.pk)
    assert hidden.hidden_at is not None
    assert hidden.hidden_reason == "Vente interdite, contraire à la charte."
