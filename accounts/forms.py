"""Extra fields of the sign-up form."""

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class SignupForm(forms.Form):
    display_name = forms.CharField(
        label=_("Name shown to others"),
        max_length=80,
        help_text=_("Your first name, your full name or a pseudonym."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
