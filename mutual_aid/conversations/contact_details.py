"""Finding contact details in a message: links, web and email addresses, phone numbers.

Used to keep the first message about a sensitive post free of them (safeguarding): someone
unknown must not lead a child's parent or a lonely person off the site at once. It errs on
the side of finding too much, and catches the usual disguises ("exemple . fr", "nom (at)
exemple.fr", "06.12.34.56.78"). A library such as `phonenumbers` only matches well-formed
numbers and no library matches disguised addresses, so the patterns are written here.
"""

from __future__ import annotations

import re

# Top-level domains people actually type here. Common French words are left out (".me",
# ".la", ".de") so that "Je suis là. Me voilà" is not taken for an address.
_TLDS = (
    "fr|com|net|org|eu|info|io|ly|gl|gg|app|xyz|biz|ovh|site|online|shop|link|bzh|paris|"
    "be|ch|lu|gouv|html?|php|tv|uk|ru|tk|cc|ws"
)

_PATTERNS = [
    # A scheme: http://, https://, ftp://, or a messaging app's link.
    re.compile(r"\b(?:https?|ftp)\s*:\s*/\s*/", re.IGNORECASE),
    re.compile(r"\b(?:wa\.me|t\.me|m\.me)\b", re.IGNORECASE),
    # "www.", even spaced out.
    re.compile(r"\bw\s*w\s*w\s*\.", re.IGNORECASE),
    # An email address, also "nom (at) exemple . fr" and "nom arobase exemple point fr".
    re.compile(
        r"[\w.+-]+\s*(?:@|\(\s*at\s*\)|\[\s*at\s*\]|\barobase\b)\s*[\w-]+"
        r"\s*(?:\.|\bpoint\b|\bdot\b)\s*[a-z]{2,}",
        re.IGNORECASE,
    ),
    # A domain: "exemple.fr", "exemple . fr", "exemple point fr", "bit.ly/abc". A full stop
    # then a space and a capital starts a sentence ("Merci. Info utile"), not an address.
    re.compile(rf"\b[\w-]{{2,}}(?:\.|\s+\.\s*)(?:{_TLDS})\b", re.IGNORECASE),
    re.compile(rf"\b[\w-]{{2,}}\.\s+(?-i:{_TLDS})\b", re.IGNORECASE),
    re.compile(rf"\b[\w-]{{2,}}\s+(?:point|dot)\s+(?:{_TLDS})\b", re.IGNORECASE),
]

# A run of digits with the separators people put in phone numbers: spaces, dots, dashes,
# slashes, brackets. Nine digits or more in a run is a phone number for us (a French number
# has ten, "+33 6 ..." eleven); dates and prices have fewer.
_DIGIT_RUN = re.compile(r"\+?\(?\d(?:[\s.\-/()]{0,3}\d)+")
PHONE_MIN_DIGITS = 9


def _phone_numbers(text: str) -> list[str]:
    found = []
    for match in _DIGIT_RUN.finditer(text):
        run = match.group(0)
        if sum(char.isdigit() for char in run) >= PHONE_MIN_DIGITS:
            found.append(run.strip())
    return found


def find_contact_details(text: str) -> list[str]:
    """The links, addresses and phone numbers in `text`, as written (empty: none)."""
    found = [match.group(0) for pattern in _PATTERNS for match in pattern.finditer(text)]
    return found + _phone_numbers(text)


def has_contact_details(text: str) -> bool:
    return bool(find_contact_details(text))
