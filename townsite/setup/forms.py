"""The forms of the set-up wizard, the team page and the invitation page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from accounts.forms import DisplayNameField, PhoneField
from accounts.models import User
from townsite.setup import contrast
from townsite.setup.logos import MAX_UPLOAD_SIDE, CheckedLogo, LogoError, check_logo

LOGO_ERRORS = {
    "too_big": _("This file is larger than 2 MB. Choose a smaller image."),
    "not_an_image": _("This file is not an image we can read. Choose a PNG, JPEG or WebP image."),
    "wrong_format": _("Only PNG, JPEG or WebP images are accepted."),
    "too_large": _("This image is too large: at most %(side)s pixels on each side."),
}


def _ratio(value: float) -> str:
    return f"{number_format(contrast.shown_ratio(value), 1)}:1"


class LookForm(forms.Form):
    logo = forms.FileField(
        label=_("Logo image"),
        required=False,
        help_text=_("PNG, JPEG or WebP image, 2 MB at most."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)
    colour_picker = forms.CharField(
        label=_("Choose a colour"),
        required=False,
        # The design system styles text inputs; a colour swatch has its own size (placette.css).
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    primary_colour = forms.CharField(
        label=_("Main colour code"),
        max_length=20,
        help_text=_(
            "The colour of the top of your site and of its buttons, with white text on it. "
            "A code like #1f4fa3."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    # The colour the page showed: tells which of the two colour fields the person changed.
    shown_colour = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_logo(self) -> CheckedLogo | None:
        upload = self.cleaned_data.get("logo")
        if not isinstance(upload, UploadedFile):
            return None
        try:
            return check_logo(upload)
        except LogoError as error:
            raise forms.ValidationError(
                LOGO_ERRORS[error.code],
                code=error.code,
                params={"side": number_format(MAX_UPLOAD_SIDE, force_grouping=True)},
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        shown = contrast.normalise_hex(data.get("shown_colour") or "")
        picked = contrast.normalise_hex(data.get("colour_picker") or "")
        typed_text = data.get("primary_colour")
        if typed_text is None:
            return data
        typed = contrast.normalise_hex(typed_text)
        # Without JavaScript the two fields do not follow each other: the one changed wins.
        if picked and picked != shown and (typed is None or typed == shown):
            typed = picked
            shown_again = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict
            shown_again["primary_colour"] = picked
            self.data = shown_again
        if typed is None:
            self.add_error(
                "primary_colour",
                _(
                    "Write the colour as a # followed by 6 digits or letters from a to f, "
                    "like #1f4fa3."
                ),
            )
            return data
        ratio = contrast.contrast_ratio(typed, contrast.WHITE)
        if ratio < contrast.MIN_TEXT_CONTRAST:
            self.add_error(
                "primary_colour",
                forms.ValidationError(
                    _(
                        "This colour is too light: white text on it has a contrast of %(ratio)s, "
                        "and at least %(minimum)s is needed to be easy to read. Try a darker "
                        "colour, for example %(suggestion)s."
                    ),
                    code="low_contrast",
                    params={
                        "ratio": _ratio(ratio),
                        "minimum": _ratio(contrast.MIN_TEXT_CONTRAST),
                        "suggestion": contrast.darker_suggestion(typed),
                    },
                ),
            )
            return data
        data["primary_colour"] = typed
        return data


class WelcomeForm(forms.Form):
    welcome_text = forms.CharField(
        label=_("Welcome text"),
        required=False,
        max_length=2000,
        help_text=_(
            "Shown on the home page of your site. A few sentences to say what residents can do "
            "here."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class NeighbourhoodForm(forms.Form):
    name = forms.CharField(label=_("Name of the neighbourhood"), max_length=120)


class RenameNeighbourhoodForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=120)


class MemberCommuneForm(forms.Form):
    insee_code = forms.CharField(max_length=5, required=False)


class ModulesForm(forms.Form):
    mutual_aid = forms.BooleanField(
        label=_("Mutual aid"),
        required=False,
        help_text=_("Residents offer or ask for help near them."),
    )
    consultations = forms.BooleanField(
        label=_("Consultations"),
        required=False,
        help_text=_("The town asks residents their opinion."),
    )
    ideas = forms.BooleanField(
        label=_("Idea box"),
        required=False,
        help_text=_("Residents propose ideas for the town."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) for name in ("mutual_aid", "consultations", "ideas")):
            raise forms.ValidationError(_("Choose at least one module."), code="no_module")
        return data


class ContactForm(forms.Form):
    address = forms.CharField(
        label=_("Postal address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    phone = PhoneField(required=False, help_text=_("For example 01 23 45 67 89."))
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("For example mairie@example.fr."),
        error_messages={"invalid": _("Write a complete email address, like mairie@example.fr.")},
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        help_text=_("For example https://www.example.fr."),
        error_messages={"invalid": _("Write a complete address, like https://www.example.fr.")},
    )
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CharterForm(forms.Form):
    charter = forms.CharField(
        label=_("Moderation charter"),
        help_text=_("Residents accept it when they join. Moderators rely on it."),
        error_messages={
            "required": _("The charter cannot be empty: residents accept it when they join.")
        },
        widget=forms.Textarea(attrs={"rows": 18}),
    )


# --- Team ---------------------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of the person"),
        error_messages={"invalid": _("Write a complete email address, like nom@example.fr.")},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (User.Role.MODERATOR, _("Moderator: reviews what residents post")),
            (User.Role.ADMIN, _("Administrator: also sets up the site and its team")),
        ],
        initial=User.Role.MODERATOR,
        widget=forms.RadioSelect,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=User.Role.choices)


class NewAccountForm(forms.Form):
    display_name = DisplayNameField()
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters. Avoid a password you use elsewhere."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are different."))
        elif first:
            try:
                password_validation.validate_password(
                    first, User(email=self.email, display_name=data.get("display_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class InvitationLoginForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.email = email
        self.user: User | None = None

    def clean_password(self) -> str:
        from allauth.account.adapter import get_adapter

        password = self.cleaned_data["password"]
        # allauth's adapter counts failures: the same limits as its own login page.
        user = get_adapter(self.request).authenticate(
            self.request, email=self.email, password=password
        )
        if user is None or not user.is_active:
            raise forms.ValidationError(_("This password is not the right one."), code="wrong")
        self.user = user
        return password
