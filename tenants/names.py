"""How a collectivité is named in a sentence: "la mairie de Chavenay", "d’Ablis", "du Mans"."""

from __future__ import annotations

import unicodedata

from django.utils import translation
from django.utils.translation import gettext as _

from tenants.models import Collectivite

_VOWELS = set("aeiouy")
# A name starting with one of these articles contracts with "de" (le → du, les → des).
_CONTRACTED = (("Le ", "du "), ("Les ", "des "))


def _starts_with_vowel(name: str) -> bool:
    first = unicodedata.normalize("NFKD", name[:1].casefold())[:1]
    return first in _VOWELS


def of_name(name: str) -> str:
    """French "de" before a commune's name: "de Chavenay", "d’Ablis", "du Mans", "des Mureaux",
    "de La Rochelle"."""
    for article, contracted in _CONTRACTED:
        if name.startswith(article):
            return contracted + name[len(article) :]
    if _starts_with_vowel(name):
        return f"d’{name}"
    return f"de {name}"


def signature(collectivite: Collectivite) -> str:
    """Who signs the emails of the collectivité's site: "La mairie de Chavenay"; an
    intercommunalité by its own name ("Communauté de communes Gally Mauldre")."""
    if collectivite.is_intercommunalite:
        return collectivite.name
    if (translation.get_language() or "").startswith("fr"):
        return f"La mairie {of_name(collectivite.name)}"
    return _("The town hall of %(name)s") % {"name": collectivite.name}
