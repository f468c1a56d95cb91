"""Login names of residents registered at the town hall desk: "dupont-4827", printed on their
welcome sheet and typed with their password on the login form.

A login name is the person's last name in plain letters, a dash and four digits from 2 to 9:
no 0 or 1, so a digit is never read as an O, an l or an I, and the letters never hold a digit.
What a person types is read generously: capitals or not, accents or not, a space or nothing for
the dash, a zero typed for an "o" or a one for an "l" in the name.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from accounts.models import User

DIGITS = "23456789"
SUFFIX_LENGTH = 4
MAX_LETTERS = 16
MIN_LETTERS = 2
# For a name with no letter we can print (a pseudonym made of digits or emoji).
FALLBACK = "habitant"

_FORM = re.compile(rf"([a-z]{{{MIN_LETTERS},{MAX_LETTERS}}})([{DIGITS}]{{{SUFFIX_LENGTH}}})")
# Typed in the name's place, these are the letters they look like.
_LOOK_ALIKES = str.maketrans({"0": "o", "1": "l"})


def _plain_letters(text: str) -> str:
    """Lower-case a to z only: accents dropped, everything else left out."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if "a" <= char <= "z")


def name_part(display_name: str) -> str:
    """The letters the login name starts with: the last word of the name that has at least two
    letters ("Jeanne Dupont" → "dupont", "Jean D." → "jean"), at most sixteen letters."""
    for word in reversed(display_name.split()):
        letters = _plain_letters(word)
        if len(letters) >= MIN_LETTERS:
            return letters[:MAX_LETTERS]
    return FALLBACK


def generate(display_name: str) -> str:
    """A login name for this person (not checked for uniqueness: see `new_login_name`)."""
    suffix = "".join(secrets.choice(DIGITS) for _ in range(SUFFIX_LENGTH))
    return f"{name_part(display_name)}-{suffix}"


def new_login_name(display_name: str) -> str:
    """A login name nobody of the current town has (the column is unique in each schema)."""
    while True:
        login_name = generate(display_name)
        if not User.objects.filter(login_name=login_name).exists():
            return login_name


def normalise(typed: str) -> str | None:
    """The login name someone meant, as stored ("dupont-4827"), or None if what they typed
    cannot be one (an email address, a word without its digits...)."""
    if "@" in typed:
        return None
    text = unicodedata.normalize("NFKD", typed.casefold())
    kept = "".join(char for char in text if "a" <= char <= "z" or char.isdigit())
    if len(kept) <= SUFFIX_LENGTH:
        return None
    letters = kept[:-SUFFIX_LENGTH].translate(_LOOK_ALIKES)
    match = _FORM.fullmatch(letters + kept[-SUFFIX_LENGTH:])
    return f"{match.group(1)}-{match.group(2)}" if match else None
