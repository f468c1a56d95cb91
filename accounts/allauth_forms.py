"""The forms of allauth's pages in our words (ACCOUNT_FORMS), and the login by login name.

Django's own French catalog names the email field "Courriel": every form here says "Adresse
e-mail", as the rest of the site does.
"""

from __future__ import annotations

from typing import Any

from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from accounts import login_names
from tenants import schema

EMAIL_LABEL = _("Email address")


def email_widget() -> forms.EmailInput:
    return forms.EmailInput(attrs={"autocomplete": "email"})


class LoginForm(AllauthLoginForm):
    """An email address, or on a town's site the login name printed at the town hall desk."""

    # Set by user_credentials(): this login went by login name, not by email.
    by_login_name = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if schema.is_public():  # our staff: an email address only
            self.fields["login"].label = EMAIL_LABEL
            self.fields["login"].widget = email_widget()
        else:
            self.fields["login"] = forms.CharField(
                label=_("Email address or login name"),
                help_text=_("The login name is on the sheet the town hall gave you."),
                max_length=254,
                widget=forms.TextInput(
                    attrs={
                        "autocomplete": "username",
                        "autocapitalize": "none",
                        "spellcheck": "false",
                    }
                ),
            )
        password = self.fields["password"]
        password.label = _("Password")
        password.help_text = ""  # the page links to the reset page under the form
        password.widget.attrs.pop("placeholder", None)  # the label says it, and stays shown
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me on this device")
        self.order_fields(["login", "password", "remember"])

    def user_credentials(self) -> dict[str, Any]:
        credentials: dict[str, Any] = super().user_credentials()
        if schema.is_public():
            return credentials
        login_name = login_names.normalise(self.cleaned_data["login"])
        if login_name is None:
            return credentials
        self.by_login_name = True
        # As `username`: allauth's rate limit of failed logins then counts per login name.
        return {"username": login_name, "password": credentials.get("password", "")}

    def login(self, request: HttpRequest, redirect_url: str | None = None) -> HttpResponse:
        if self.by_login_name:
            # The town hall met the person and gave them the login name: no email to confirm
            # (many of them have none).
            self._login.email_verification = EmailVerificationMethod.NONE
        response: HttpResponse = super().login(request, redirect_url)
        return response


class ResetPasswordForm(AllauthResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL
        self.fields["email"].widget = email_widget()


class AddEmailForm(AllauthAddEmailForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL
        self.fields["email"].widget = email_widget()
