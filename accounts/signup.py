"""The sign-up form allauth shows (ACCOUNT_FORMS): as slow for a known address as for a new one."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


class SignupForm(AllauthSignupForm):
    def try_save(self, request: HttpRequest) -> Any:
        if self.account_already_exists:
            # A new account costs one password hash (most of the answer's time); an address that
            # already has an account must cost the same, or the answer's time tells it has one.
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)
