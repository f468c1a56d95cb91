"""The safeguarding detector finds links, addresses and phone numbers, however disguised,
and leaves ordinary French sentences alone."""

from __future__ import annotations

import pytest

from mutual_aid.conversations.contact_details import find_contact_details, has_contact_details

PHONES = [
    "06 12 34 56 78",
    "0612345678",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "06/12/34/56/78",
    "+33612345678",
    "+33 6 12 34 56 78",
    "+33 (0)6 12 34 56 78",
    "0033 6 12 34 56 78",
    "0 6 1 2 3 4 5 6 7 8",
    "01 39 12 34 56",
    "+32 470 12 34 56",
    "appelez le 06 12 34 56 78 après 18 h",
]
LINKS = [
    "https://exemple.fr/annonce",
    "http://exemple.com",
    "HTTPS : // exemple.org",
    "www.leboncoin.fr",
    "w w w . exemple",
    "exemple.fr",
    "exemple . fr",
    "exemple .com",
    "exemple point fr",
    "bit.ly/abc123",
    "wa.me/33612345678",
    "t.me/monpseudo",
    "jean.dupont@exemple.fr",
    "jean (at) exemple . com",
    "jean [at] exemple.org",
    "jean arobase exemple point fr",
]
ORDINARY = [
    "Bonjour, je peux garder vos enfants mercredi après-midi.",
    "Rendez-vous le 12/03/2026 à 14h30 devant la mairie.",
    "Le prix est de 1 250 euros, à partager.",
    "Merci. Info utile : la boulangerie ferme à 13 h.",
    "Je suis là. Me voilà prête à aider.",
    "Bonjour. Re bonjour, c’est encore moi.",
    "J’ai 2 enfants de 3 et 5 ans.",
    "Code postal 78450, bâtiment B.",
    "Je suis dispo. Com si de rien.",
]


@pytest.mark.parametrize("text", PHONES)
def test_phone_numbers_are_found(text: str) -> None:
    assert has_contact_details(text), text


@pytest.mark.parametrize("text", LINKS)
def test_links_and_addresses_are_found(text: str) -> None:
    assert has_contact_details(text), text


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_sentences_are_left_alone(text: str) -> None:
    assert find_contact_details(text) == []


def test_what_is_found_is_quoted_as_written() -> None:
    assert find_contact_details("Mon numéro : 06.12.34.56.78, merci") == ["06.12.34.56.78"]
