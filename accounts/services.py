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


@transaction.atomic
def set_first_password(user: User, password: str) -> User:
    """The password of someone who has none yet (a new town's signer). An account that has one
    keeps it: changing a password is allauth's own form, which asks for the current one."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.has_usable_password():
        return locked
    locked.set_password(password)
    locked.save(update_fields=["password"])
    return locked
