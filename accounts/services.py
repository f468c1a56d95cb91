"""Creating people: the only place that writes users outside allauth's own forms."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User


@transaction.atomic
def create_member(
    *,
    email: str,
    display_name: str,
    role: str = User.Role.RESIDENT,
    password: str | None = None,
    email_verified: bool = True,
    login_name: str | None = None,
) -> User:
    """A person of the current schema's town, with their email address as allauth knows it."""
    user = User.objects.create_user(
        email=email, password=password, display_name=display_name, role=role, login_name=login_name
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


@transaction.atomic
def create_ops_staff(*, email: str, display_name: str, password: str) -> User:
    """A Placette staff member (public schema only); TOTP is set up at first login."""
    user = User.objects.create_user(
        email=email, password=password, display_name=display_name, is_staff=True
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user
