"""Residents join and leave: the only code that writes their accounts and profiles."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import login_names
from accounts.models import User
from accounts.services import create_member
from tenants import audit, schema
from tenants.models import AuditEntry
from townsite.models import Neighbourhood, ResidentProfile
from townsite.moderation.erasure import forget_person
from townsite.residents import access, codes
from townsite.residents.placeholders import is_placeholder_email, make_placeholder_email

logger = logging.getLogger(__name__)


class ResidentError(Exception):
    """A refusal to show as is to the person (translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@transaction.atomic
def complete_resident_signup(
    user: User, *, display_name: str, neighbourhood: Neighbourhood | None
) -> ResidentProfile:
    """The sign-up form's part once allauth has made the user: their name and their profile.

    The form only gets here with the charter accepted, so acceptance is recorded as of now.
    """
    user.display_name = display_name
    user.save(update_fields=["display_name"])
    return ResidentProfile.objects.create(
        user=user, neighbourhood=neighbourhood, charter_accepted_at=timezone.now()
    )


@dataclass(frozen=True)
class DeskRegistration:
    user: User
    code: str  # in clear, for the welcome sheet only; the database keeps its hash


def _fresh_code() -> tuple[str, str]:
    while True:
        code = codes.generate()
        code_hash = codes.hash_code(code)
        if not ResidentProfile.objects.filter(login_code_hash=code_hash).exists():
            return code, code_hash


def _check_agent(agent: User) -> User:
    """The agent, re-read and locked: their rights may have gone since the page was shown."""
    current = User.objects.select_for_update().filter(pk=agent.pk, is_active=True).first()
    if current is None or not current.is_moderator:
        raise PermissionDenied
    return current


@transaction.atomic
def register_at_desk(
    agent: User,
    *,
    display_name: str,
    neighbourhood: Neighbourhood | None,
    phone: str = "",
    email: str = "",
    verified: bool = False,
) -> DeskRegistration:
    """An account made by a town agent for a resident at the desk, with a one-time code.

    No password: the resident chooses one with the code, then logs in with their login name.
    Without an email, the account gets a stand-in address that is never mailed. Who made it,
    and when, is kept on the profile; `verified`: the agent checked who the person is (the
    badge of verified residents).
    """
    agent = _check_agent(agent)
    # Printed on the welcome sheet: with the password they choose, the resident logs in with it
    # (with or without an email address). It stays out of the journal, as the email does.
    login_name = login_names.new_login_name(display_name)
    if email:
        # Typed by the agent, so not verified: allauth asks the resident to confirm it.
        user = create_member(
            email=email, display_name=display_name, email_verified=False, login_name=login_name
        )
    else:
        user = User.objects.create_user(
            email=make_placeholder_email(),
            password=None,
            display_name=display_name,
            login_name=login_name,
        )
    code, code_hash = _fresh_code()
    now = timezone.now()
    profile = ResidentProfile.objects.create(
        user=user,
        neighbourhood=neighbourhood,
        phone=phone,
        assisted_by=agent,
        assisted_at=now,
        login_code_hash=code_hash,
        login_code_expires_at=now + codes.VALIDITY,
        verified_at=now if verified else None,
        verified_by=agent if verified else None,
    )
    # Neither the phone nor the email goes into the journal: the account holds them.
    after = {
        "neighbourhood": neighbourhood.name if neighbourhood else None,
        "login_code_expires_at": profile.login_code_expires_at,
    }
    if verified:
        after["verified_at"] = profile.verified_at
    audit.record("resident.desk_registered", actor=agent, target=user, after=after)
    logger.info("Resident %s registered at the desk by user %s", user.pk, agent.pk)
    return DeskRegistration(user=user, code=code)


def _give_login_name(user: User) -> None:
    """A login name for a resident registered at the desk before login names existed (the
    caller holds the lock on the user's row)."""
    if user.login_name:
        return
    user.login_name = login_names.new_login_name(user.display_name)
    user.save(update_fields=["login_name"])


@transaction.atomic
def issue_new_login_code(agent: User, profile: ResidentProfile) -> str:
    """A new one-time code for a resident registered at the desk; the previous one stops working."""
    agent = _check_agent(agent)
    profile = ResidentProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    _give_login_name(profile.user)
    old = {"login_code_expires_at": profile.login_code_expires_at}
    code, code_hash = _fresh_code()
    profile.login_code_hash = code_hash
    profile.login_code_expires_at = codes.expiry_from_now()
    profile.save(update_fields=["login_code_hash", "login_code_expires_at"])
    # The code's hash stays out of the journal; its validity is what an admin needs to see.
    before, after = audit.changes(profile, old, ["login_code_expires_at"])
    audit.record(
        "resident.new_login_code", actor=agent, target=profile.user, before=before, after=after
    )
    logger.info("New login code for resident %s issued by user %s", profile.user_id, agent.pk)
    return code


@transaction.atomic
def set_password_with_code(
    profile_id: int, *, code_hash: str, password: str, accept_charter: bool
) -> User:
    """The resident's first login: the password they chose replaces the one-time code.

    Raises ResidentError if the code was used, replaced or expired in the meantime.
    """
    profile = access.pending_code(profile_id, code_hash).select_for_update().first()
    if profile is None:
        raise ResidentError(_("This code no longer works. Ask the town hall for a new one."))
    user = profile.user
    user.set_password(password)
    user.save(update_fields=["password"])
    _give_login_name(user)
    profile.login_code_hash = ""
    profile.login_code_expires_at = None
    if accept_charter and profile.charter_accepted_at is None:
        profile.charter_accepted_at = timezone.now()
    profile.save(update_fields=["login_code_hash", "login_code_expires_at", "charter_accepted_at"])
    return user


def replace_placeholder_email(email_address: EmailAddress) -> None:
    """Once a resident verifies a real address, it takes the stand-in address's place."""
    if not email_address.verified or is_placeholder_email(email_address.email):
        return
    user = email_address.user
    stand_ins = [
        address.pk
        for address in EmailAddress.objects.filter(user=user)
        if is_placeholder_email(address.email)
    ]
    if not stand_ins and not is_placeholder_email(user.email):
        return
    with transaction.atomic():
        EmailAddress.objects.filter(pk__in=stand_ins).delete()
        if is_placeholder_email(user.email):
            EmailAddress.objects.filter(user=user).exclude(pk=email_address.pk).update(
                primary=False
            )
            email_address.primary = True
            email_address.save(update_fields=["primary"])
            user.email = email_address.email
            user.save(update_fields=["email"])


def deleted_account_label(user_id: int) -> str:
    """How the journal names an account once it is deleted, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("deleted account no. %(id)s") % {"id": user_id}


@dataclass(frozen=True)
class _DeletedAccount:
    """The actor of a deletion as the journal keeps it: the account's id, no name, no email."""

    pk: int
    display_name: str
    email: str = ""


@transaction.atomic
def delete_account(user: User) -> None:
    """Delete the person's account and what hangs on it. A town keeps at least one admin.

    The town is the controller of its residents' data and must erase it on request (GDPR
    art. 17), yet keep a trace of the deletion and of the privileged actions done to the
    account (art. 5(2), accountability). So the journal keeps the account's id and its role,
    and the entries naming it as their target lose the name: "deleted account no. 42". Entries
    where the person acted as staff keep their name: who used an administrator's rights is
    what that log is for.
    """
    # Locked in the order change_role locks them: the last admin check holds under races.
    admins = list(
        User.objects.select_for_update()
        .filter(role=User.Role.ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )
    user_pk = user.pk
    current = User.objects.select_for_update().filter(pk=user_pk).first()
    if current is None:  # deleted already (a second click, another tab)
        return
    if current.is_town_admin and [pk for pk in admins if pk != current.pk] == []:
        raise ResidentError(
            _(
                "You are the last administrator of this site, so your account cannot be "
                "deleted. First make another person administrator."
            )
        )
    label = deleted_account_label(user_pk)
    town_entries = AuditEntry.objects.filter(collectivite__schema_name=schema.current_schema())
    town_entries.filter(target_type=current._meta.label_lower, target_id=str(user_pk)).update(
        target_label=label
    )
    forget_person(current, label)
    audit.record(
        "account.deleted",
        actor=_DeletedAccount(pk=user_pk, display_name=label),
        target=current,
        target_label=label,
        before={"role": current.role},
    )
    logger.info("User %s deleted their account", user_pk)
    current.delete()
