"""The fields every app asks the same way: a French phone number and the name shown to others."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django import forms
from django.utils import translation

from accounts.forms import DisplayNameField, PhoneField

PHONE_REFUSED = (
    "Indiquez un numéro de téléphone français à 10 chiffres, par exemple 01 23 45 67 89 "
    "ou +33 1 23 45 67 89."
)


@pytest.fixture(autouse=True)
def _french() -> Iterator[None]:
    with translation.override("fr"):
        yield


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("0123456789", "01 23 45 67 89"),
        ("01 23 45 67 89", "01 23 45 67 89"),
        ("01.23.45.67.89", "01 23 45 67 89"),
        ("01-23-45-67-89", "01 23 45 67 89"),
        ("  06 12 34 56 78  ", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "06 12 34 56 78"),
        ("+33612345678", "06 12 34 56 78"),
        ("+33 1.23-45 67.89", "01 23 45 67 89"),
        ("0590 12 34 56", "05 90 12 34 56"),  # overseas départements dial 10 digits too
    ],
)
def test_a_french_number_is_kept_in_one_form(typed: str, kept: str) -> None:
    assert PhoneField().clean(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "12",
        "appelez-nous",
        "01 23 45 67 8",  # 9 digits
        "01 23 45 67 89 0",  # 11 digits
        "1123456789",  # no leading 0
        "0023456789",  # 00 is the international prefix, not a number
        "+33 0 1 23 45 67 89",  # +33 replaces the 0
        "+44 20 7946 0958",  # not French
        "(01) 23 45 67 89",
        "01/23/45/67/89",
        "01 23 45 67 89 poste 12",
    ],
)
def test_anything_else_is_refused_in_french(typed: str) -> None:
    with pytest.raises(forms.ValidationError) as refused:
        PhoneField().clean(typed)
    assert refused.value.messages == [PHONE_REFUSED]


def test_an_optional_phone_may_stay_empty() -> None:
    assert PhoneField(required=False).clean("  ") == ""
    with pytest.raises(forms.ValidationError) as refused:
        PhoneField().clean("")
    assert refused.value.messages == ["Ce champ est obligatoire."]


def test_the_name_shown_to_others_is_trimmed_and_at_most_80_characters() -> None:
    field = DisplayNameField()
    assert str(field.label) == "Nom affiché aux autres"
    assert field.clean("  Martine  ") == "Martine"
    assert field.clean("M" * 80) == "M" * 80
    with pytest.raises(forms.ValidationError) as refused:
        field.clean("M" * 81)
    assert refused.value.messages == [
        "Assurez-vous que cette valeur comporte au plus 80 caractères (actuellement 81)."
    ]
    with pytest.raises(forms.ValidationError):
        field.clean("   ")
