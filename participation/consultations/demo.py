"""The demo towns' consultations: one open, asking every kind of question (a conditional one
included), with about forty answers, some typed in from paper; and one closed, with answers,
its results and the town's conclusion published.
Run by `seed_demo` (settings.DEMO_SEEDERS) in each demo town's schema, after mutual aid's demo
has made its neighbours.

Everything goes through the consultations' services, as staff and residents would (the
questionnaire built, the consultation published, answers sent online, by the residents and by
anonymous browsers, and on paper); only the dates are then moved into the past. The closed
one's written answers are reviewed (the remarks published), its results and its conclusion
published, which tells its participants. Safe to run again: a consultation whose title
exists is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from participation.consultations import (
    answering,
    browser,
    builder,
    paper,
    publication,
    reviews,
    services,
)
from participation.consultations.answer_form import OTHER, AnswerForm, ranking_name
from participation.consultations.models import (
    Consultation,
    ConsultationQuestion,
    ConsultationTextReview,
)
from tenants.models import Collectivite
from townsite.models import Neighbourhood

Kind = ConsultationQuestion.Kind
OPEN_TITLE = "Réaménagement de la place de la mairie"
CLOSED_TITLE = "Les horaires de la médiathèque"
WORDS = ["Plus d’ombre", "Des bancs", "Moins de voitures", "Un point d’eau", "Des fleurs"]
REMARKS = [
    "Pensez aux personnes âgées : il faut pouvoir s’asseoir souvent.",
    "Le marché du jeudi doit pouvoir rester sur la place.",
    "Des arbres plutôt que des bacs à fleurs, svp.",
    "La place est très belle le soir, gardez l’éclairage doux.",
]


@dataclass(frozen=True)
class Plan:
    title: str
    context: str
    audience: str
    opened_days_ago: int
    closes_in_days: int  # negative: closed that many days ago
    anonymous: int  # answers from browsers without an account (audience "link")
    on_paper: int


OPEN = Plan(
    OPEN_TITLE,
    "<p>La commune prépare le réaménagement de la place. <strong>Donnez votre avis</strong> "
    "avant le vote du conseil municipal ; vous pouvez aussi répondre sur papier à la mairie.</p>",
    Consultation.Audience.LINK,
    opened_days_ago=12,
    closes_in_days=18,
    anonymous=17,
    on_paper=12,
)
CLOSED = Plan(
    CLOSED_TITLE,
    "<p>La médiathèque pourrait ouvrir autrement. Quels horaires vous conviendraient ?</p>",
    Consultation.Audience.RESIDENTS,
    opened_days_ago=45,
    closes_in_days=-10,
    anonymous=0,
    on_paper=9,
)
CONCLUSION = (
    "<p>Merci aux habitants qui ont répondu, en ligne et sur papier. La médiathèque ouvrira "
    "<strong>le mercredi jusqu’à 19 h</strong> et le samedi matin dès la rentrée ; nous ferons "
    "le point au conseil municipal de juin.</p>"
)


def _questionnaire(staff: User, consultation: Consultation, *, full: bool) -> None:
    """Every kind of question for the open one; a shorter one for the closed one."""
    first = consultation.sections.get()
    add = builder.add_question
    if not full:
        add(
            staff,
            first,
            kind=Kind.MULTIPLE,
            label="Quels jours viendriez-vous ?",
            choices=["Mardi", "Mercredi", "Vendredi", "Samedi"],
            required=True,
            max_choices=3,
        )
        add(
            staff,
            first,
            kind=Kind.SINGLE,
            label="Le samedi, vous préférez…",
            choices=["Le matin", "L’après-midi", "Toute la journée"],
        )
        add(staff, first, kind=Kind.LONG_TEXT, label="Une remarque ?")
        return  # fmt: skip
    builder.update_section(staff, first, title="Vos usages de la place")
    add(
        staff,
        first,
        kind=Kind.SINGLE,
        label="Comment venez-vous sur la place ?",
        choices=["À pied", "À vélo", "En voiture", "En bus"],
        allow_other=True,
        required=True,
    )
    add(
        staff,
        first,
        kind=Kind.MULTIPLE,
        label="Qu’y faites-vous ?",
        choices=["Le marché", "Un café", "Jouer avec les enfants", "Me reposer"],
        min_choices=1,
        max_choices=3,
    )
    add(
        staff,
        first,
        kind=Kind.RANKING,
        label="Classez ces projets, du plus au moins important",
        choices=["Planter des arbres", "Installer des bancs", "Une fontaine"],
    )
    add(
        staff,
        first,
        kind=Kind.SCALE,
        label="Êtes-vous satisfait de la place aujourd’hui ?",
        scale_max=10,
        scale_min_label="Pas du tout",
        scale_max_label="Tout à fait",
    )
    second = builder.add_section(staff, consultation, title="Vous et votre famille")
    children = add(staff, second, kind=Kind.YES_NO, label="Avez-vous des enfants ?")
    add(
        staff,
        second,
        kind=Kind.SINGLE,
        label="Une aire de jeux vous serait-elle utile ?",
        choices=["Oui, souvent", "De temps en temps", "Non"],
        required=True,
        show_if_question=children,
        show_if_value="yes",
    )
    add(
        staff,
        second,
        kind=Kind.NUMBER,
        label="Combien de fois par semaine passez-vous ?",
        number_min=Decimal(0),
        number_max=Decimal(14),
    )
    add(staff, second, kind=Kind.DATE, label="Quand y êtes-vous venu pour la dernière fois ?")
    add(staff, second, kind=Kind.SHORT_TEXT, label="La place en un mot ?")
    add(staff, second, kind=Kind.LONG_TEXT, label="Vos remarques")  # fmt: skip


def _typed(question: ConsultationQuestion, rng: random.Random) -> dict[str, Any]:
    """What a person would fill in for this question (the form's raw values)."""
    name, choices = question.field_name, list(question.choices)
    kind = question.kind
    if kind == Kind.SINGLE:
        if question.allow_other and rng.random() < 0.1:
            return {name: OTHER, f"{name}_other": "En trottinette"}
        return {name: rng.choice(choices)}
    if kind == Kind.MULTIPLE:
        most = question.max_choices or len(choices)
        return {name: rng.sample(choices, rng.randint(question.min_choices or 1, most))}
    if kind == Kind.RANKING:
        ranks = rng.sample(range(1, len(choices) + 1), len(choices))
        return {ranking_name(question, i): str(rank) for i, rank in enumerate(ranks)}
    if kind == Kind.SCALE:
        return {name: str(rng.choice([4, 5, 6, 7, 7, 8, 8, 9, 10][: question.scale_max]))}
    if kind == Kind.YES_NO:
        return {name: rng.choice(["yes", "no"])}
    if kind == Kind.NUMBER:
        return {name: str(rng.randint(0, 7))}
    if kind == Kind.DATE:
        return {name: (date.today() - timedelta(days=rng.randint(0, 30))).isoformat()}
    if kind == Kind.SHORT_TEXT:
        return {name: rng.choice(WORDS)} if rng.random() < 0.6 else {}
    return {name: rng.choice(REMARKS)} if rng.random() < 0.4 else {}


def _answers(consultation: Consultation, rng: random.Random) -> dict[str, Any]:
    """A valid answer, checked by the residents' own form."""
    data: dict[str, Any] = {}
    for question in consultation.questions.all():
        data.update(_typed(question, rng))
    form = AnswerForm(consultation, _as_post(data))
    if not form.is_valid():  # the demo's own data: a mistake here is a bug to see at once
        raise ValueError(f"Demo answer refused: {form.errors.as_text()}")
    return form.answers


def _as_post(data: dict[str, Any]) -> Any:
    from django.http import QueryDict

    post = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            post.setlist(key, value)
        else:
            post[key] = value
    return post


def _seed(plan: Plan, town: Collectivite, staff: User, residents: list[User]) -> Consultation:
    now = timezone.now()
    rng = random.Random(f"{town.slug}:{plan.title}")
    opens_at = now - timedelta(days=plan.opened_days_ago)
    consultation = services.create_consultation(
        staff,
        title=plan.title,
        context_html=plan.context,
        opens_at=opens_at,
        closes_at=now + timedelta(days=max(plan.closes_in_days, 1)),
        audience=plan.audience,
    )
    _questionnaire(staff, consultation, full=plan is OPEN)
    consultation = services.publish_consultation(staff, consultation)
    for resident in residents:
        answering.submit_answer(
            consultation, user=resident, browser_key="", answers=_answers(consultation, rng)
        )
    for number in range(plan.anonymous):
        key = browser.browser_key(f"demo-{town.slug}-{plan.opened_days_ago}-{number}")
        answering.submit_answer(
            consultation, user=None, browser_key=key, answers=_answers(consultation, rng)
        )
    communes: list[Neighbourhood | None] = [*Neighbourhood.objects.all()] or [None]
    for number in range(plan.on_paper):
        paper.add_paper_answer(
            staff,
            consultation,
            answers=_answers(consultation, rng),
            neighbourhood=communes[number % len(communes)],
        )
    _backdate(consultation, rng, closes_at=now + timedelta(days=plan.closes_in_days))
    if plan.closes_in_days < 0:
        _conclude(staff, Consultation.objects.get(pk=consultation.pk))
    return consultation


def _conclude(staff: User, consultation: Consultation) -> None:
    """What the town does once a consultation is over: the remarks reviewed (all published:
    the demo's are harmless), the results published, then its conclusion."""
    verdicts = [
        reviews.Verdict(
            text.response_id,
            text.question_id,
            ConsultationTextReview.Decision.PUBLISHED,
            reviews.fingerprint(text.text),
        )
        for text in reviews.texts_of(consultation)
    ]
    reviews.review_texts(staff, consultation, verdicts)
    consultation = publication.publish_results(staff, consultation)
    publication.save_conclusion(staff, consultation, CONCLUSION, publish=True)


def _backdate(consultation: Consultation, rng: random.Random, *, closes_at: Any) -> None:
    """Answers spread over the days it was open; a closed one's closing in the past."""
    Consultation.objects.filter(pk=consultation.pk).update(closes_at=closes_at)
    last = min(closes_at, timezone.now())
    span = int((last - consultation.opens_at).total_seconds())
    for response in consultation.responses.all():
        when = consultation.opens_at + timedelta(seconds=rng.randint(3600, max(span, 7200)))
        type(response).objects.filter(pk=response.pk).update(submitted_at=when, updated_at=when)


@transaction.atomic
def seed_town(town: Collectivite) -> int:
    """Seed the active schema's town; returns how many consultations it made (0 the second
    time)."""
    people = list(
        User.objects.filter(email__endswith=f"@{town.slug}.example", is_active=True).order_by("pk")
    )
    staff = next((person for person in people if person.role == User.Role.ADMIN), None)
    residents = [person for person in people if person.role == User.Role.RESIDENT]
    if staff is None or not residents:
        return 0
    made = 0
    for plan in (OPEN, CLOSED):
        if not Consultation.objects.filter(title=plan.title).exists():
            _seed(plan, town, staff, residents)
            made += 1
    return made
