"""The forms of the trial sign-up wizard."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import PhoneField
from onboarding.models import SignupRequest


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, postcode or INSEE code of your collectivité"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )


class TrialForm(forms.Form):
    signer_name = forms.CharField(
        label=_("Your name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    signer_role = forms.ChoiceField(
        label=_("Your role"), choices=SignupRequest.SignerRole.choices, widget=forms.RadioSelect
    )
    signer_role_other = forms.CharField(label=_("Which role?"), max_length=120, required=False)
    email = forms.EmailField(
        label=_("Work email"),
        help_text=_("We send the link that creates your site there."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = PhoneField()
    slug = forms.CharField(
        label=_("Address of your site"),
        max_length=63,
        help_text=_("Lowercase letters without accents, digits and hyphens."),
    )
    accept_terms = forms.BooleanField(label=_("I accept the terms of service."))
    accept_dpa = forms.BooleanField(
        label=_(
            "I accept the data processing agreement: the collectivité is the controller of its "
            "residents' data, Placette processes them on its behalf."
        )
    )

    def clean_slug(self) -> str:
        from onboarding.services import slug_problem

        slug = self.cleaned_data["slug"].strip().lower()
        problem = slug_problem(slug)
        if problem:
            raise forms.ValidationError(problem)
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("signer_role") == SignupRequest.SignerRole.OTHER and not data.get(
            "signer_role_other"
        ):
            self.add_error("signer_role_other", _("Say which role you have."))
        return data


class ContactTownForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Your email"))
    message = forms.CharField(label=_("Your message"), max_length=2000, widget=forms.Textarea)
