"""The demo towns' idea box: a dozen ideas at every status of the town's answer, with supports,
comments and official answers. Run by `seed_demo` (settings.DEMO_SEEDERS) in each demo town's
schema, after mutual aid's demo has made its neighbours.

Everything goes through the idea box's services, as residents and staff would; only the dates
are then moved into the past. Safe to run again: an idea whose title exists is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from participation.ideas import answers, comments, services
from participation.ideas.models import Idea, IdeaCategory
from tenants.models import Collectivite

S = Idea.Status
# The town's answers that lead to each status, in the workflow's order.
PATHS: dict[str, tuple[Idea.Status, ...]] = {
    S.SUBMITTED: (),
    S.UNDER_STUDY: (S.UNDER_STUDY,),
    S.ACCEPTED: (S.ACCEPTED,),
    S.NOT_RETAINED: (S.NOT_RETAINED,),
    S.IN_PROGRESS: (S.ACCEPTED, S.IN_PROGRESS),
    S.DONE: (S.ACCEPTED, S.IN_PROGRESS, S.DONE),
}
ANSWERS: dict[str, str] = {
    S.UNDER_STUDY: "Les services techniques étudient la faisabilité ; réponse avant l’été.",
    S.ACCEPTED: "Le conseil municipal a voté ce projet : merci pour cette proposition.",
    S.NOT_RETAINED: "Le terrain appartient au département, qui n’autorise pas cet usage.",
    S.IN_PROGRESS: "Les travaux ont commencé ; ils dureront trois semaines.",
    S.DONE: "C’est fait ! Venez voir le résultat et dites-nous ce que vous en pensez.",
}


@dataclass(frozen=True)
class DemoIdea:
    title: str
    description: str
    category: str  # slug
    status: str
    days_ago: int
    supporters: int
    comments: tuple[str, ...] = ()


IDEAS = [
    DemoIdea(
        "Un composteur partagé près de l’école",
        "Beaucoup de familles jettent leurs épluchures : un composteur collectif servirait "
        "aussi au jardin de l’école.",
        "environnement-nature",
        S.SUBMITTED,
        3,
        4,
        ("Je veux bien m’en occuper le mercredi.",),
    ),
    DemoIdea(
        "Une boîte à livres sur la place",
        "Une petite armoire où chacun dépose et emprunte des livres, à côté de l’arrêt de bus.",
        "culture-sport-loisirs",
        S.SUBMITTED,
        6,
        7,
    ),
    DemoIdea(
        "Des bancs le long de la promenade",
        "Les personnes âgées n’ont nulle part où se reposer entre le bourg et l’étang.",
        "voirie-deplacements",
        S.UNDER_STUDY,
        20,
        9,
        ("Oui, surtout à mi-chemin, près du lavoir.",),
    ),
    DemoIdea(
        "Un marché de producteurs le samedi",
        "Deux ou trois producteurs du coin viendraient le samedi matin sur le parking de "
        "la mairie.",
        "solidarite",
        S.UNDER_STUDY,
        25,
        8,
    ),
    DemoIdea(
        "Une piste cyclable vers le collège",
        "Les collégiens roulent sur la départementale : une piste séparée les protégerait.",
        "voirie-deplacements",
        S.ACCEPTED,
        60,
        9,
        ("Enfin ! Mon fils y va à vélo tous les jours.",),
    ),
    DemoIdea(
        "Des jardins partagés derrière la mairie",
        "Le terrain en friche pourrait accueillir une dizaine de parcelles pour les habitants.",
        "environnement-nature",
        S.ACCEPTED,
        45,
        6,
    ),
    DemoIdea(
        "Un skatepark au bord de l’étang",
        "Les jeunes n’ont pas d’endroit à eux ; un petit skatepark près de l’étang serait idéal.",
        "ecoles-jeunesse",
        S.NOT_RETAINED,
        70,
        5,
        ("Et pourquoi pas près du stade ?",),
    ),
    DemoIdea(
        "Un parking à vélos couvert à la gare",
        "Les vélos restent sous la pluie toute la journée.",
        "voirie-deplacements",
        S.NOT_RETAINED,
        80,
        3,
    ),
    DemoIdea(
        "Un éclairage plus doux rue des Lilas",
        "Les lampadaires éblouissent les riverains toute la nuit ; des lampes orientées vers "
        "le sol suffiraient.",
        "proprete-cadre-de-vie",
        S.IN_PROGRESS,
        90,
        7,
        ("Et les chauves-souris nous diront merci.",),
    ),
    DemoIdea(
        "Un atelier de réparation de vélos",
        "Un samedi par mois, des bénévoles aident à réparer les vélos, avec les outils de "
        "la commune.",
        "solidarite",
        S.IN_PROGRESS,
        100,
        4,
    ),
    DemoIdea(
        "Des poubelles de tri au city-stade",
        "Les bouteilles finissent dans l’herbe : deux bacs de tri suffiraient.",
        "proprete-cadre-de-vie",
        S.DONE,
        120,
        6,
        ("Merci, c’est beaucoup plus propre depuis.",),
    ),
    DemoIdea(
        "Un repas des voisins en juin",
        "Un grand repas partagé dans la rue principale, fermée aux voitures pour l’occasion.",
        "solidarite",
        S.DONE,
        150,
        9,
        ("Quelle belle soirée, à refaire !", "On était plus de cent !"),
    ),
]


@transaction.atomic
def seed_town(town: Collectivite) -> int:
    """Seed the active schema's town; returns how many ideas it created (0 the second time)."""
    people = list(
        User.objects.filter(email__endswith=f"@{town.slug}.example", is_active=True).order_by("pk")
    )
    staff = next((person for person in people if person.role == User.Role.ADMIN), None)
    residents = [person for person in people if person.role == User.Role.RESIDENT]
    categories = {category.slug: category for category in IdeaCategory.objects.all()}
    if staff is None or len(residents) < 2 or not categories:
        return 0
    now = timezone.now()
    created = 0
    for index, spec in enumerate(IDEAS):
        if Idea.objects.filter(title=spec.title).exists():
            continue
        author = residents[index % len(residents)]
        category = categories.get(spec.category) or categories["autre"]
        idea = services.submit_idea(
            author, services.IdeaValues(spec.title, spec.description, category)
        )
        others = [person for person in residents if person.pk != author.pk]
        for supporter in [author, *others][: spec.supporters]:
            services.support(supporter, idea)
        for number, body in enumerate(spec.comments):
            comments.add_comment(others[number % len(others)], idea, body)
        for status in PATHS[spec.status]:
            answers.answer_idea(staff, idea, status=status, text=ANSWERS[status])
            idea.refresh_from_db()
        # Written `days_ago` days ago; answered since, the latest answer a few days back.
        written = now - timedelta(days=spec.days_ago)
        Idea.objects.filter(pk=idea.pk).update(created_at=written)
        if PATHS[spec.status]:
            Idea.objects.filter(pk=idea.pk).update(
                answered_at=written + timedelta(days=spec.days_ago // 2)
            )
            idea.answers.update(created_at=written + timedelta(days=spec.days_ago // 2))
        created += 1
    return created
