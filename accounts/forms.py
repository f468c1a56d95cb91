"""Form fields every app asks the same way (a name shown to others, a phone number), and the
extra field of the sign-up form."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User

# Separators people type between digits; anything else (letters, brackets) is refused.
PHONE_SEPARATORS = re.compile(r"[ .\-]")
NATIONAL_PHONE = re.compile(r"0[1-9]\d{8}")
INTERNATIONAL_PHONE = re.compile(r"\+33([1-9]\d{8})")


def normalise_phone(text: str) -> str:
    """A French number, 10 digits starting with 0 or +33 then 9 digits, as "01 23 45 67 89"."""
    digits = PHONE_SEPARATORS.sub("", text.strip())
    international = INTERNATIONAL_PHONE.fullmatch(digits)
    if international:
        digits = "0" + international.group(1)
    if not NATIONAL_PHONE.fullmatch(digits):
        raise forms.ValidationError(PhoneField.default_error_messages["invalid"], code="invalid")
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


class PhoneField(forms.CharField):
    """A French phone number, cleaned to one form ("01 23 45 67 89") whatever the separators."""

    default_error_messages = {
        "invalid": _(
            "Enter a French phone number of 10 digits, like 01 23 45 67 89 or +33 1 23 45 67 89."
        ),
    }

    def __init__(self, *, autocomplete: str = "tel", **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Phone"))
        kwargs.setdefault("max_length", 30)  # what is typed, separators included
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"type": "tel", "inputmode": "tel", "autocomplete": autocomplete}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return normalise_phone(text) if text else ""


class DisplayNameField(forms.CharField):
    """The name a person is shown by to others (User.display_name, its length and help text)."""

    def __init__(self, *, autocomplete: str = "nickname", **kwargs: Any) -> None:
        model_field = User._meta.get_field("display_name")
        kwargs.setdefault("label", _("Name shown to others"))
        kwargs.setdefault("max_length", model_field.max_length)
        kwargs.setdefault("help_text", model_field.help_text)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": autocomplete}))
        super().__init__(**kwargs)


class SignupForm(forms.Form):
    display_name = DisplayNameField()

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
