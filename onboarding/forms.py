"""The forms of the trial sign-up wizard, and of a claim on a collectivité already asked for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import PhoneField
from onboarding import legal
from onboarding.claims import Signer
from onboarding.models import SignerRole


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, postcode or INSEE code of your collectivité"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )


class SignerForm(forms.Form):
    """Who speaks for the collectivité."""

    signer_name = forms.CharField(
        label=_("Your name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    signer_role = forms.ChoiceField(
        label=_("Your role"), choices=SignerRole.choices, widget=forms.RadioSelect
    )
    # Shown (and asked) only when the role is "Other": CSS hides it otherwise, with or
    # without JavaScript, and clean() requires it only then.
    signer_role_other = forms.CharField(label=_("Which role?"), max_length=120, required=False)
    email = forms.EmailField(
        label=_("Work email"),
        help_text=_("We send the link that creates your site there."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = PhoneField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("signer_role") == SignerRole.OTHER:
            if not data.get("signer_role_other", "").strip():
                self.add_error("signer_role_other", _("Say which role you have."))
        else:
            data["signer_role_other"] = ""
        return data

    def signer(self) -> Signer:
        data = self.cleaned_data
        return Signer(
            name=data["signer_name"],
            role=data["signer_role"],
            role_other=data["signer_role_other"],
            email=data["email"],
            phone=data["phone"],
        )


class TrialForm(SignerForm):
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
    # The versions shown when the boxes were ticked: what the signer accepted.
    terms_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    dpa_version = forms.CharField(widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("terms_version", legal.TERMS.current.id)
        kwargs["initial"].setdefault("dpa_version", legal.PROCESSING_AGREEMENT.current.id)
        super().__init__(*args, **kwargs)

    def clean_slug(self) -> str:
        from onboarding.services import slug_problem

        slug = self.cleaned_data["slug"].strip().lower()
        problem = slug_problem(slug)
        if problem:
            raise forms.ValidationError(problem)
        return slug


class ClaimForm(SignerForm):
    message = forms.CharField(
        label=_("Anything our team should know (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _("Our team writes to you there.")


class ContactTownForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Your email"))
    message = forms.CharField(label=_("Your message"), max_length=2000, widget=forms.Textarea)
