"""Fixtures of the ops console's tests: our staff with TOTP set up, signed in on the root domain."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_ops_staff

TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 (a test secret)
TENANTS_LIST = "/ops/tenants/collectivite/"


def with_totp(user: User) -> User:
    """The account with a TOTP authenticator, as allauth.mfa stores one once activated."""
    with schema_context("public"):
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
        )
    return user


@pytest.fixture
def console_staff(db: None) -> User:
    """A Placette staff member who has set up TOTP: the console's only kind of user."""
    with schema_context("public"):
        staff = create_ops_staff(
            email="console@placette.example", display_name="Olga", password=TEST_PASSWORD
        )
    return with_totp(staff)


@pytest.fixture
def console(client_for: Callable[..., Client], console_staff: User) -> Client:
    """The staff member with TOTP, signed in on the root domain."""
    return client_for(None, console_staff)
