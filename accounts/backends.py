"""Logging in with a login name from the town hall desk (accounts.login_names) and a password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts import login_names
from accounts.models import User


class LoginNameBackend(ModelBackend):
    """The login form passes a login name as `username` (accounts.login.LoginForm), so that
    allauth's rate limit of failed logins counts per login name, as it does per email address.

    Each schema holds its own users: a login name of town A means nothing on town B's site.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        login_name = login_names.normalise(username)
        if login_name is None:
            return None
        user = User._default_manager.filter(login_name=login_name).first()
        if user is None:
            # As long as a wrong password: the answer's time does not tell the name exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
