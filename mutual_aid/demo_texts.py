"""What the demo towns' neighbours post and write to each other (French: the towns' own data)."""

from __future__ import annotations

from dataclasses import dataclass, field

# (local part of the email, display name): neighbours added to the demo's own people.
NEIGHBOURS = [
    ("helene", "Hélène Garnier"),
    ("marcel", "Marcel Dubois"),
    ("yasmine", "Yasmine Haddad"),
    ("paul", "Paul Lefèvre"),
    ("sophie", "Sophie Roux"),
    ("thomas", "Thomas Petit"),
    ("nadia", "Nadia Ferrand"),
    ("bernard", "Bernard Lemoine"),
]


@dataclass(frozen=True)
class Helped:
    helper: str  # local part
    thanks: str
    after_days: int = 1  # 0: given an hour ago


@dataclass(frozen=True)
class DemoPost:
    category: str  # slug
    kind: str  # offer / request
    title: str
    description: str
    author: str  # local part
    days_ago: int
    respondent: str = ""
    # (who writes: "a" the author, "r" the respondent; text; hours after the post)
    messages: tuple[tuple[str, str, int], ...] = ()
    helped: Helped | None = None
    photo: str = ""  # a colour: the post gets a drawn photo
    when: str = ""
    rhythm: str = ""
    extra: dict[str, object] = field(default_factory=dict)


POSTS = [
    # Garde d'enfants
    DemoPost(
        "garde-enfants",
        "request",
        "Sortie d’école le mardi",
        "Je finis tard le mardi. Quelqu’un pourrait-il récupérer ma fille (7 ans) à l’école "
        "du village à 16 h 30 et la garder une heure ?",
        "sophie",
        4,
        respondent="helene",
        messages=(
            (
                "r",
                "Bonjour Sophie, je suis retraitée et j’habite à côté de l’école. "
                "Je peux le faire, on se rencontre avant ?",
                5,
            ),
            ("a", "Merci beaucoup ! Samedi matin au marché, ça vous va ?", 7),
            ("r", "Parfait, à samedi.", 9),
        ),
        when="regular",
        rhythm="Le mardi, de 16 h 30 à 17 h 30",
    ),
    DemoPost(
        "garde-enfants",
        "offer",
        "Baby-sitting le soir, étudiante",
        "Étudiante en BTS, j’ai déjà gardé des enfants de 2 à 10 ans. Disponible le "
        "vendredi et le samedi soir.",
        "yasmine",
        12,
        when="regular",
        rhythm="Vendredi et samedi soir",
    ),
    DemoPost(
        "garde-enfants",
        "request",
        "Garde pendant un rendez-vous médical",
        "J’ai un rendez-vous à l’hôpital jeudi matin. Qui peut garder mon fils de 3 ans "
        "deux heures ?",
        "nadia",
        40,
        respondent="camille",
        messages=(("r", "Je peux le prendre avec le mien, ils ont le même âge.", 2),),
        helped=Helped("camille", "Merci Camille, Léo a adoré jouer avec Hugo !", 3),
    ),
    # Courses
    DemoPost(
        "courses",
        "offer",
        "Je fais les courses du samedi pour une voisine âgée",
        "Je vais au supermarché chaque samedi matin. Je peux prendre la liste d’une "
        "personne qui ne peut plus se déplacer et la livrer.",
        "lucie",
        3,
        respondent="bernard",
        messages=(
            (
                "r",
                "Bonjour, ma mère habite rue des Lilas et ne conduit plus. "
                "Elle aurait besoin de quelques courses.",
                3,
            ),
            ("a", "Avec plaisir ! Donnez-moi sa liste vendredi.", 4),
        ),
        when="regular",
        rhythm="Le samedi matin",
        photo="#2f6a3b",
    ),
    DemoPost(
        "courses",
        "request",
        "Courses à l’épicerie pendant ma convalescence",
        "Je me remets d’une opération du genou et je ne peux pas porter de charges "
        "pendant trois semaines. Un peu d’aide pour l’épicerie ?",
        "marcel",
        9,
    ),
    DemoPost(
        "courses",
        "request",
        "Pain et journal le dimanche",
        "Quelqu’un passe-t-il à la boulangerie le dimanche matin ? Je rembourse bien sûr.",
        "bernard",
        25,
        respondent="paul",
        messages=(("r", "J’y vais tous les dimanches, je vous les dépose.", 20),),
        helped=Helped("paul", "Merci Paul, toujours à l’heure et avec le sourire.", 2),
    ),
    # Soutien moral
    DemoPost(
        "soutien-moral",
        "offer",
        "Un moment pour parler, autour d’un café",
        "J’ai du temps et une oreille attentive. Si vous vous sentez seul ou avez besoin "
        "de parler, écrivez-moi.",
        "helene",
        6,
        photo="#7a3d00",
    ),
    DemoPost(
        "soutien-moral",
        "request",
        "Besoin de parler depuis mon déménagement",
        "Arrivée depuis peu, je ne connais personne. J’aimerais rencontrer des voisins "
        "pour discuter de temps en temps.",
        "nadia",
        11,
    ),
    DemoPost(
        "soutien-moral",
        "offer",
        "Appels de courtoisie aux personnes isolées",
        "Je peux appeler une ou deux fois par semaine une personne qui vit seule, pour "
        "prendre des nouvelles.",
        "camille",
        70,
        helped=Helped("marcel", "Merci Camille pour ces appels du jeudi.", 5),
    ),
    # Démarches en ligne
    DemoPost(
        "demarches-en-ligne",
        "request",
        "Aide pour déclarer mes impôts en ligne",
        "Je n’arrive pas à me connecter au site des impôts. Quelqu’un pourrait-il "
        "m’aider une heure ?",
        "bernard",
        10,
    ),
    DemoPost(
        "demarches-en-ligne",
        "offer",
        "Aide informatique : ordinateur, téléphone, démarches",
        "Ancien technicien, je peux aider pour un ordinateur, un téléphone, ou une "
        "démarche en ligne (CAF, Ameli, ANTS).",
        "thomas",
        5,
        respondent="marcel",
        messages=(
            ("r", "Bonjour Thomas, je dois renouveler ma carte grise en ligne.", 26),
            ("a", "Pas de souci, passez mercredi à 14 h, on le fait ensemble.", 30),
        ),
    ),
    DemoPost(
        "demarches-en-ligne",
        "request",
        "Prendre rendez-vous sur Doctolib",
        "Ma mère voudrait prendre ses rendez-vous seule sur son téléphone. Qui peut lui montrer ?",
        "sophie",
        48,
        respondent="thomas",
        messages=(("r", "Je peux passer lui montrer, c’est simple une fois vu.", 6),),
        helped=Helped("thomas", "Merci Thomas, maman se débrouille seule maintenant.", 4),
    ),
    # Bricolage
    DemoPost(
        "bricolage",
        "request",
        "Fixer des étagères au mur",
        "J’ai trois étagères à fixer sur un mur en placo. J’ai les chevilles mais pas "
        "la perceuse ni le savoir-faire !",
        "yasmine",
        2,
    ),
    DemoPost(
        "bricolage",
        "offer",
        "Petites réparations : robinets, prises, portes",
        "Bricoleur du dimanche, je peux dépanner pour les petites réparations de la maison.",
        "paul",
        15,
        photo="#1f4fa3",
    ),
    DemoPost(
        "bricolage",
        "request",
        "Changer une ampoule au plafond",
        "Je ne peux plus monter sur un escabeau. Quelqu’un pour changer l’ampoule de mon salon ?",
        "marcel",
        120,
        respondent="paul",
        messages=(("r", "Je passe ce soir après le travail.", 1),),
        helped=Helped("paul", "Merci Paul, la lumière est revenue !", 1),
    ),
    # Jardinage
    DemoPost(
        "jardinage",
        "offer",
        "Je tonds votre pelouse avec la mienne",
        "J’ai une tondeuse thermique, je peux tondre une petite pelouse voisine le samedi.",
        "thomas",
        8,
        when="regular",
        rhythm="Le samedi, d’avril à octobre",
        photo="#4f7a1f",
    ),
    DemoPost(
        "jardinage",
        "request",
        "Tailler une haie de thuyas",
        "La haie devant chez moi est trop haute pour moi. Je fournis le taille-haie.",
        "bernard",
        14,
    ),
    DemoPost(
        "jardinage",
        "offer",
        "Plants de tomates à donner",
        "J’ai semé trop de tomates : cœur de bœuf, cerise, Marmande. Venez vous servir !",
        "helene",
        200,
        respondent="lucie",
        messages=(("r", "J’en prendrais bien trois, je passe quand ?", 3),),
        helped=Helped("lucie", "Merci Hélène, elles poussent très bien.", 2),
    ),
    # Prêt d'objets (the loan itself is made by the seeder)
    DemoPost(
        "pret-objets",
        "request",
        "Quelqu’un aurait un diable à prêter ?",
        "Je déménage des cartons lourds samedi, un diable m’aiderait beaucoup.",
        "yasmine",
        20,
        respondent="marcel",
        messages=(("r", "J’en ai un, passez le prendre vendredi soir.", 4),),
        helped=Helped("marcel", "Merci Marcel, vous m’avez sauvé le dos !", 2),
    ),
    DemoPost(
        "pret-objets",
        "offer",
        "Je prête ma remorque",
        "Remorque de 750 kg avec bâche, pour la déchetterie ou un déménagement.",
        "paul",
        30,
    ),
    # Covoiturage (the carpool itself is made by the seeder)
    DemoPost(
        "covoiturage",
        "request",
        "Aller au marché de Plaisir le samedi",
        "Je n’ai plus de voiture. Quelqu’un va-t-il au marché de Plaisir le samedi matin ?",
        "bernard",
        9,
        when="regular",
        rhythm="Le samedi matin",
    ),
    DemoPost(
        "covoiturage",
        "offer",
        "Trajet vers Versailles en semaine",
        "Je pars à 7 h 45 vers Versailles du lundi au vendredi, deux places libres.",
        "sophie",
        100,
        respondent="yasmine",
        messages=(("r", "Je travaille à Versailles, je participe à l’essence.", 2),),
        helped=Helped("yasmine", "Merci Sophie, c’est bien plus sympa à deux.", 3),
    ),
    # Achat groupé (the group purchase itself is made by the seeder)
    DemoPost(
        "achat-groupe",
        "offer",
        "Commande groupée de bois de chauffage",
        "Un producteur de la vallée livre du chêne sec. Plus on commande, moins c’est cher.",
        "thomas",
        160,
        helped=Helped("bernard", "Merci Thomas, tout le monde a été livré.", 10),
    ),
    # Animaux
    DemoPost(
        "animaux",
        "request",
        "Nourrir mes chats pendant une semaine",
        "Je pars du 12 au 19. Deux chats calmes, il suffit de passer une fois par jour.",
        "lucie",
        7,
        respondent="nadia",
        messages=(
            ("r", "J’adore les chats, je peux passer chaque soir.", 8),
            ("a", "Génial, je vous donne les clés dimanche.", 9),
        ),
        photo="#6b2c91",
    ),
    DemoPost(
        "animaux",
        "offer",
        "Promenade de chiens l’après-midi",
        "Je promène mon chien tous les jours vers 15 h, le vôtre peut venir aussi.",
        "marcel",
        22,
    ),
    DemoPost(
        "animaux",
        "request",
        "Garder mon lapin pendant les vacances",
        "Un lapin nain très sage, avec sa cage et sa nourriture.",
        "yasmine",
        260,
        respondent="camille",
        messages=(("r", "Mes enfants seraient ravis !", 5),),
        helped=Helped("camille", "Merci Camille, Noisette est revenu tout content.", 12),
    ),
    # Visites et compagnie
    DemoPost(
        "visites-compagnie",
        "request",
        "Visite à ma tante, une fois par semaine",
        "Ma tante de 88 ans vit seule à La Plaine. Une visite d’une heure lui ferait plaisir.",
        "sophie",
        13,
    ),
    DemoPost(
        "visites-compagnie",
        "offer",
        "Jeux de société l’après-midi",
        "J’organise des après-midi belote et Scrabble chez moi, le jeudi.",
        "helene",
        18,
        respondent="bernard",
        messages=(("r", "Je viendrais bien jeudi, j’apporte des gâteaux.", 4),),
        when="regular",
        rhythm="Le jeudi après-midi",
    ),
    DemoPost(
        "visites-compagnie",
        "offer",
        "Lecture à voix haute",
        "Je peux lire le journal ou un roman à une personne qui voit mal.",
        "lucie",
        300,
        helped=Helped("marcel", "Merci Lucie pour ces lectures du mardi.", 20),
    ),
    DemoPost(
        "bricolage",
        "request",
        "Monter une armoire en kit",
        "J’ai acheté une armoire en kit et la notice me dépasse. Deux mains de plus ?",
        "nadia",
        1,
        respondent="thomas",
        messages=(("r", "J’ai l’habitude, je passe ce midi avec ma visseuse.", 1),),
        helped=Helped("thomas", "Merci Thomas, montée en une heure, un vrai pro !", 0),
    ),
    # Autre
    DemoPost(
        "autre",
        "request",
        "Recherche un traducteur anglais pour une lettre",
        "J’ai reçu une lettre en anglais d’une administration. Qui peut m’aider à la comprendre ?",
        "nadia",
        16,
    ),
    DemoPost(
        "autre",
        "offer",
        "Cours de couture pour débutants",
        "Je peux montrer les bases : ourlets, boutons, petites retouches.",
        "camille",
        1,
        photo="#8a1c5a",
    ),
    DemoPost(
        "autre",
        "offer",
        "Je donne des cartons de déménagement",
        "Une trentaine de cartons en bon état, à venir chercher.",
        "jean",
        80,
        respondent="yasmine",
        messages=(("r", "Je les prends tous !", 1),),
        helped=Helped("yasmine", "Merci Jean, pile ce qu’il me fallait.", 1),
    ),
]

LOAN = DemoPost(
    "pret-objets",
    "offer",
    "Perceuse-visseuse à prêter",
    "Perceuse sans fil avec deux batteries et un coffret de forets. Je la prête pour quelques "
    "jours.",
    "jean",
    6,
    photo="#3d4f5c",
)
CARPOOL = DemoPost(
    "covoiturage",
    "offer",
    "Place de la mairie → Gare de Versailles-Chantiers",  # as publish_carpool titles it
    "Je pars de la place de la mairie. Trois places, petits bagages acceptés.",
    "camille",
    2,
)
GROUP_PURCHASE = DemoPost(
    "achat-groupe",
    "offer",
    "Pommes du verger de la Mauldre",
    "Le verger vend des cagettes de 5 kg à prix réduit si nous en prenons 20 ensemble.",
    "lucie",
    5,
    photo="#a4161a",
)

# A post that breaks the charter (advertising), reported by a resident: the moderators' queue
# has something to show.
REPORTED = DemoPost(
    "autre",
    "offer",
    "Ménage à domicile, prix imbattables",
    "Société de nettoyage : appelez vite, devis gratuit, paiement en espèces uniquement.",
    "thomas",
    1,
)
REPORTED_BY = "camille"
