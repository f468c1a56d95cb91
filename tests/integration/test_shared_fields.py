"""Every form asking for a phone number or a display name asks it the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django_tenants.utils import schema_context

from accounts.forms import SignupForm
from onboarding.forms import TrialForm
from tenants.models import Collectivite
from tests.unit.test_fields import PHONE_REFUSED
from townsite.residents.forms import DeskRegistrationForm
from townsite.setup.forms import ContactForm, NewAccountForm

pytestmark = pytest.mark.django_db

PHONE_FORMS: dict[str, Callable[[dict[str, str]], forms.Form]] = {
    "trial sign-up": TrialForm,
    "desk registration": DeskRegistrationForm,
    "town contact details": ContactForm,
}
NAME_FORMS: dict[str, Callable[[dict[str, str]], forms.Form]] = {
    "resident sign-up": SignupForm,
    "desk registration": DeskRegistrationForm,
    "invited staff's new account": lambda data: NewAccountForm(data, email="nadia@example.org"),
}


def _cleaned(town: Collectivite, make: Callable[[dict[str, str]], forms.Form], **data: str) -> Any:
    with schema_context(town.schema_name):
        form = make(data)
        form.full_clean()
        return form


@pytest.mark.parametrize("name", PHONE_FORMS)
def test_every_phone_field_keeps_one_form_and_refuses_the_same(town_a, name: str) -> None:
    form = _cleaned(town_a, PHONE_FORMS[name], phone="+33 6.12.34.56.78")
    assert "phone" not in form.errors
    assert form.cleaned_data["phone"] == "06 12 34 56 78"
    assert _cleaned(town_a, PHONE_FORMS[name], phone="12 34").errors["phone"] == [PHONE_REFUSED]


@pytest.mark.parametrize("name", NAME_FORMS)
def test_every_display_name_field_has_one_label_and_one_length(town_a, name: str) -> None:
    form = _cleaned(town_a, NAME_FORMS[name], display_name="  Martine  ")
    assert str(form["display_name"].label) == "Nom affiché aux autres"
    assert form.cleaned_data["display_name"] == "Martine"
    too_long = _cleaned(town_a, NAME_FORMS[name], display_name="M" * 81)
    assert too_long.errors["display_name"] == [
        "Assurez-vous que cette valeur comporte au plus 80 caractères (actuellement 81)."
    ]
