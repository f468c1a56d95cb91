"""The categories and national help lines every town starts with (then edits as it likes)."""

from django.db import migrations

# (slug, French name, icon, sensitive). Names are the town's data, in French like its site.
CATEGORIES = [
    ("garde-enfants", "Garde d'enfants", "enfant", True),
    ("courses", "Courses", "panier", False),
    ("soutien-moral", "Soutien moral", "coeur", True),
    ("demarches-en-ligne", "Aide aux démarches en ligne", "ordinateur", False),
    ("bricolage", "Bricolage", "outil", False),
    ("jardinage", "Jardinage", "plante", False),
    ("pret-objets", "Prêt d'objets", "boite", False),
    ("covoiturage", "Covoiturage", "voiture", False),
    ("achat-groupe", "Achat groupé", "sac", False),
    ("animaux", "Animaux", "patte", False),
    ("visites-compagnie", "Visites et compagnie", "tasse", True),
    ("autre", "Autre", "autre", False),
]

HELP_LINES = [
    ("Allô enfance en danger", "119", "Enfants en danger ou en risque de l'être, 24 h/24, gratuit"),
    (
        "Maltraitance des personnes âgées et handicapées",
        "3977",
        "Écoute et conseil, du lundi au vendredi, gratuit",
    ),
    ("Prévention du suicide", "3114", "Écoute professionnelle, 24 h/24, gratuit"),
    ("Violences Femmes Info", "3919", "Femmes victimes de violences, 24 h/24, gratuit, anonyme"),
    ("SOS Amitié", "09 72 39 40 50", "Écoute de personnes en détresse, 24 h/24"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("mutual_aid", "Category")
    HelpLine = apps.get_model("mutual_aid", "HelpLine")
    for position, (slug, name, icon, sensitive) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "icon": icon, "sensitive": sensitive, "position": position},
        )
    if not HelpLine.objects.exists():
        HelpLine.objects.bulk_create(
            HelpLine(name=name, number=number, description=description, position=position)
            for position, (name, number, description) in enumerate(HELP_LINES)
        )


class Migration(migrations.Migration):
    dependencies = [("mutual_aid", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
