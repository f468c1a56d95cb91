"""Forms of residents joining: sign-up, desk registration, first login with a code, leaving."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import DisplayNameField, PhoneField, SignupForm
from accounts.models import User
from tenants import schema
from townsite.models import Neighbourhood, ResidentProfile, TownProfile
from townsite.residents import access, codes, services

NEIGHBOURHOOD_FIELD = "neighbourhood"


def add_neighbourhood_field(form: forms.Form, *, for_agent: bool = False) -> None:
    """The town's neighbourhoods (member communes for an intercommunalité) as a required
    choice; no field at all when the town has none. Never the exact address.

    `for_agent`: a town agent fills the form for the person at the desk, so the words speak
    of "the person", not to "you"."""
    neighbourhoods = Neighbourhood.objects.all()
    if not neighbourhoods.exists():
        return
    epci = schema.current_tenant().is_intercommunalite
    if for_agent:
        help_text = (
            _("The person’s commune, to show them what happens near them. Never their address.")
            if epci
            else _(
                "The person’s neighbourhood, to show them what happens near them. Never their "
                "address."
            )
        )
        required = (
            _("Choose the person’s commune.") if epci else _("Choose the person’s neighbourhood.")
        )
    else:
        help_text = (
            _("Your commune, to see what happens near you. Never your address.")
            if epci
            else _("Your neighbourhood, to see what happens near you. Never your address.")
        )
        required = (
            _("Please choose your commune.") if epci else _("Please choose your neighbourhood.")
        )
    form.fields[NEIGHBOURHOOD_FIELD] = forms.ModelChoiceField(
        queryset=neighbourhoods,
        label=_("Commune") if epci else _("Neighbourhood"),
        empty_label=_("Choose from the list"),
        help_text=help_text,
        error_messages={
            "required": required,
            "invalid_choice": _("Please choose from the list."),
        },
    )


class ResidentSignupForm(SignupForm):
    """What allauth's sign-up asks beyond email and password (ACCOUNT_SIGNUP_FORM_CLASS)."""

    field_order = [
        "display_name",
        "email",
        "password1",
        "password2",
        NEIGHBOURHOOD_FIELD,
        "charter",
    ]

    charter = forms.BooleanField(
        label=_("I have read the charter and I accept it"),
        error_messages={"required": _("To join, please accept the charter.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_neighbourhood_field(self)
        self.charter_text = TownProfile.load().charter

    def signup(self, request: HttpRequest, user: User) -> None:
        services.complete_resident_signup(
            user,
            display_name=self.cleaned_data["display_name"],
            neighbourhood=self.cleaned_data.get(NEIGHBOURHOOD_FIELD),
        )


class DeskRegistrationForm(forms.Form):
    """What a town agent asks a resident at the desk."""

    # The agent types for someone else: the browser must not offer the agent's own details.
    display_name = DisplayNameField(
        help_text=_("First name and name, or what the person wants to be called."),
        autocomplete="off",
    )
    phone = PhoneField(
        label=_("Phone (optional)"),
        required=False,
        help_text=_("Only the town hall sees it, to call the person back."),
        autocomplete="off",
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        help_text=_("Leave empty if the person has none."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    # The agent meets the person: they can vouch for them at once (the "verified" badge).
    verified_in_person = forms.BooleanField(
        label=_("Verified in person"),
        required=False,
        initial=True,
        help_text=_("Untick if you could not check who the person is."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_neighbourhood_field(self, for_agent=True)
        self.order_fields(
            ["display_name", NEIGHBOURHOOD_FIELD, "phone", "email", "verified_in_person"]
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email and (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        ):
            raise forms.ValidationError(
                _("Somebody already has an account with this email address.")
            )
        return email


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=80)


class LoginCodeForm(forms.Form):
    """First step of the first login: the code printed on the welcome sheet."""

    code = forms.CharField(
        label=_("Your code"),
        max_length=20,
        help_text=_("The 8 letters and digits printed on your welcome sheet, e.g. K7QF-M3XD."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )

    profile: ResidentProfile

    def clean_code(self) -> str:
        code = codes.normalise(self.cleaned_data["code"])
        profile = access.profile_for_code(code)
        if profile is None:
            raise forms.ValidationError(
                _(
                    "This code is not right, or it has already been used. Check it, or ask "
                    "the town hall for a new one."
                )
            )
        expires_at = profile.login_code_expires_at
        if expires_at is None or expires_at <= timezone.now():
            raise forms.ValidationError(
                _("This code has expired. Ask the town hall for a new one.")
            )
        self.profile = profile
        return code


class ChoosePasswordForm(SetPasswordMixin, forms.Form):
    """Second step of the first login: the resident's own password (and the charter, once)."""

    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("Choose your password"), label2=_("Type the same password again")
    )
    # The town hall registered the person already: they do not "join", they go on.
    charter = forms.BooleanField(
        label=_("I have read the charter and I accept it"),
        error_messages={"required": _("To go on, please accept the charter.")},
    )

    def __init__(self, user: User, *args: Any, needs_charter: bool, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = _(
            "At least 8 characters. Not only digits, and not a common word."
        )
        self.fields["password2"].help_text = ""
        if needs_charter:
            self.charter_text = TownProfile.load().charter
        else:
            del self.fields["charter"]

    def clean(self) -> dict[str, Any]:
        self.validate_passwords("password1", "password2")
        self.validate_password_for_user(self.user, "password2")
        return super().clean() or {}


class DeleteAccountForm(forms.Form):
    """Confirming the deletion: the password, or a ticked box for accounts without one."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, delete my account and everything in it"),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if user.has_usable_password():
            del self.fields["confirm"]
        else:
            del self.fields["password"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password
