"""The app's side of `make prod-check`'s seeding, run with production's settings.

    python tests/prod/seed.py request COUNT    asks COUNT trials (onboarding's service, as the
                                               form does); prints them as JSON
    python tests/prod/seed.py residents N      N residents in every town made by prod-check, the
                                               first one named after its town; prints them
    python tests/prod/seed.py content          what the load needs in every such town: an open
                                               consultation published by its admin, an offer
                                               by each resident, conversations between them and
                                               a few ideas (the products' services); prints them
    python tests/prod/seed.py api SLUG         residents and content in that town, and an API
                                               key of a resident and of its admin; prints them

The trials are confirmed by prod_check.py over HTTPS, with the link the Celery worker mailed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from accounts.api.tokens import create_token  # noqa: E402
from accounts.models import User  # noqa: E402
from accounts.services import create_member  # noqa: E402
from mutual_aid.conversations.services import start_conversation  # noqa: E402
from mutual_aid.models import Category, Conversation, Post  # noqa: E402
from mutual_aid.posting.services import publish_post  # noqa: E402
from onboarding import services  # noqa: E402
from onboarding.claims import Signer  # noqa: E402
from onboarding.directory import find  # noqa: E402
from onboarding.legal import PROCESSING_AGREEMENT, TERMS  # noqa: E402
from participation.consultations import builder  # noqa: E402
from participation.consultations import services as consultations  # noqa: E402
from participation.consultations.models import Consultation, ConsultationQuestion  # noqa: E402
from participation.ideas import services as ideas  # noqa: E402
from participation.ideas.comments import add_comment  # noqa: E402
from participation.ideas.models import Idea, IdeaCategory  # noqa: E402
from tenants.models import Collectivite, Commune  # noqa: E402

SIGNER_DOMAIN = "prodcheck.test"
PASSWORD = "prod-check-résident-2026"  # noqa: S105  (loopback only)


def request(count: int) -> list[dict[str, str]]:
    used = set(Collectivite.objects.values_list("official_code", flat=True))
    asked = {signup.official_code for signup in services.SignupRequest.objects.all()}
    # Those not asked yet: a later call (the API's own town) gets the next ones.
    communes = list(
        Commune.objects.filter(population__gte=500)
        .exclude(insee_code__in=used | asked)
        .order_by("insee_code")[: count * 3]
    )
    requested: list[dict[str, str]] = []
    for commune in communes:
        if len(requested) == count:
            break
        entry = find("commune", commune.insee_code)
        if entry is None:
            continue
        slug = services.proposed_slug(entry)
        email = f"maire@{slug}.{SIGNER_DOMAIN}"
        services.request_trial(
            entry=entry,
            slug=slug,
            signer=Signer(
                name="Maire", role="maire", role_other="", email=email, phone="0102030405"
            ),
            terms_version=TERMS.current.id,
            dpa_version=PROCESSING_AGREEMENT.current.id,
        )
        requested.append({"slug": slug, "name": entry.name, "email": email})
    return requested


def _towns(slug: str | None = None) -> list[Collectivite]:
    """The towns opened by prod-check's sign-ups (or only the one of `slug`)."""
    opened = services.SignupRequest.objects.filter(
        email__endswith=f".{SIGNER_DOMAIN}", collectivite__isnull=False
    ).values("collectivite_id")
    towns = Collectivite.objects.filter(pk__in=opened).order_by("slug")
    return list(towns.filter(slug=slug) if slug else towns)


def residents(count: int, slug: str | None = None) -> list[dict[str, str]]:
    """`count` residents in each town opened by prod-check's sign-ups."""
    # Production's hasher takes most of a second a password on these cores: hashed once, the
    # same hash given to every resident made here (each login still checks it in full).
    hashed = make_password(PASSWORD)
    people = []
    for town in _towns(slug):
        with schema_context(town.schema_name):
            made = []
            for n in range(count):
                email = f"habitant{n}@{town.slug}.{SIGNER_DOMAIN}"
                name = f"Habitant {n} de {town.slug}"
                if not User.objects.filter(email=email).exists():
                    made.append(create_member(email=email, display_name=name).pk)
                people.append({"slug": town.slug, "email": email, "name": name})
            User.objects.filter(pk__in=made).update(password=hashed)
    return people


CONSULTATION_TITLE = "Le marché du samedi"
IDEAS = 3


def _consultation(admin: User) -> Consultation:
    """An open consultation for every resident, three questions, published by the admin."""
    found = Consultation.objects.filter(title=CONSULTATION_TITLE).first()
    if found is not None:
        return found
    now = timezone.now()
    consultation = consultations.create_consultation(
        admin,
        title=CONSULTATION_TITLE,
        context_html="<p>La commune voudrait déplacer le marché. <strong>Votre avis ?</strong></p>",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=30),
        audience=Consultation.Audience.RESIDENTS,
    )
    section = consultation.sections.get()
    kind = ConsultationQuestion.Kind
    builder.add_question(
        admin,
        section,
        kind=kind.SINGLE,
        label="Où le marché devrait-il se tenir ?",
        choices=["Sur la place", "Dans la rue principale", "Au parking de l’école"],
        required=True,
    )
    builder.add_question(
        admin,
        section,
        kind=kind.SCALE,
        label="Êtes-vous satisfait du marché aujourd’hui ?",
        scale_max=5,
        scale_min_label="Pas du tout",
        scale_max_label="Tout à fait",
    )
    builder.add_question(admin, section, kind=kind.SHORT_TEXT, label="Le marché en un mot ?")
    return consultations.publish_consultation(admin, consultation)


def _offer(person: User, category: Category) -> Post:
    title = f"Courses du samedi avec {person.display_name}"
    found = Post.objects.filter(author=person, title=title).first()
    if found is not None:
        return found
    return publish_post(
        person,
        kind=Post.Kind.OFFER,
        category=category,
        title=title,
        description="Je vais au marché le samedi matin : je peux rapporter vos courses.",
    )


def _idea(person: User, category: IdeaCategory) -> Idea:
    title = f"Des bancs près de l’école, propose {person.display_name}"
    found = Idea.objects.filter(author=person, title=title).first()
    if found is not None:
        return found
    values = ideas.IdeaValues(
        title=title,
        description="Les parents attendent debout à la sortie de l’école : quelques bancs ?",
        category=category,
    )
    return ideas.submit_idea(person, values)


def content(slug: str | None = None) -> list[dict[str, object]]:
    """In each town of prod-check: its admin's open consultation; an offer by each resident,
    whom the next resident answers (so everyone has two conversations); IDEAS ideas. All by the
    products' services, as the pages would. Safe to run again (found by title)."""
    towns: list[dict[str, object]] = []
    for town in _towns(slug):
        with schema_context(town.schema_name):
            admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).earliest("pk")
            consultation = _consultation(admin)
            people = list(
                User.objects.filter(email__endswith=f"@{town.slug}.{SIGNER_DOMAIN}")
                .filter(role=User.Role.RESIDENT)
                .order_by("pk")
            )
            category = Category.objects.filter(enabled=True, sensitive=False).earliest("pk")
            offers = [_offer(person, category) for person in people]
            for n, post in enumerate(offers):
                respondent = people[(n + 1) % len(people)]
                if not Conversation.objects.filter(post=post, respondent=respondent).exists():
                    start_conversation(post, respondent, body="Bonjour, avec plaisir !")
            idea_category = IdeaCategory.objects.filter(enabled=True).earliest("pk")
            made = [_idea(person, idea_category) for person in people[:IDEAS]]
            conversations: dict[str, list[int]] = {person.email: [] for person in people}
            for row in Conversation.objects.filter(post__in=offers).select_related(
                "author", "respondent"
            ):
                for person in (row.author, row.respondent):
                    if person is not None and person.email in conversations:
                        conversations[person.email].append(row.pk)
            towns.append(
                {
                    "slug": town.slug,
                    "consultation": consultation.key,
                    "questions": [
                        {"name": q.field_name, "kind": q.kind, "choices": q.choices}
                        for q in consultation.questions.all()
                    ],
                    "offers": [{"pk": post.pk, "title": post.title} for post in offers],
                    "ideas": [{"pk": idea.pk, "title": idea.title} for idea in made],
                    "conversations": conversations,
                }
            )
    return towns


# The API's fuzzing: one key a resident for three of them (the API counts calls per person),
# and the admin's.
KEYS_FOR_API = 3
RESIDENTS_FOR_API = 8


def api(slug: str) -> dict[str, object]:
    """One town ready for the API's fuzzing: residents and content, then for three residents
    and the admin an API key (made as on the account page) and the objects the fuzzer is to
    use: their own offer, a conversation of theirs, an idea and their comment on it."""
    residents(RESIDENTS_FOR_API, slug)
    town = content(slug)[0]
    (collectivite,) = _towns(slug)
    identities = []
    with schema_context(collectivite.schema_name):
        people = list(User.objects.filter(role=User.Role.RESIDENT).order_by("pk"))
        admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).earliest("pk")
        idea = Idea.objects.order_by("pk").first()
        assert idea is not None  # content() made some
        for person in [*people[:KEYS_FOR_API], admin]:
            # The admin has none of their own: theirs are a resident's (what staff may do).
            own = Post.objects.filter(author=person).first() or Post.objects.earliest("pk")
            conversation = Conversation.objects.filter(
                Q(author=person) | Q(respondent=person)
            ).first() or Conversation.objects.earliest("pk")
            comment = add_comment(person, idea, f"Bonne idée ! ({person.display_name})")
            identities.append(
                {
                    "role": "admin" if person.pk == admin.pk else "resident",
                    "name": person.display_name,
                    "key": create_token(person, name="prod-check")[1],
                    "post": own.pk,
                    "conversation": conversation.pk,
                    "idea": idea.pk,
                    "comment": comment.pk,
                }
            )
    return {**town, "identities": identities}


def main() -> int:
    command = sys.argv[1]
    if command == "request":
        result: object = request(int(sys.argv[2]))
    elif command == "residents":
        result = residents(int(sys.argv[2]))
    elif command == "api":
        result = api(sys.argv[2])
    else:
        result = content()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
