"""The town's team: inviting administrators and moderators by email, accepting, changing roles.

The only code that writes invitations and staff roles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mail import send_templated
from accounts.models import User
from accounts.services import create_member
from accounts.tokens import new_token
from tenants import audit
from townsite.models import Invitation
from townsite.setup import queries
from townsite.setup.services import locked_profile

INVITATION_DAYS = 7
INVITABLE_ROLES = (User.Role.MODERATOR, User.Role.ADMIN)


class TeamError(Exception):
    """Something the person can act on; the message is for them (French)."""


class InvitationGone(TeamError):
    """The invitation was accepted, revoked or has expired: `state` says which."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    replaced_one: bool  # a pending invitation to the same address was revoked


def _still_admin(by: User) -> User:
    """The acting admin, re-read and locked: their rights may have been taken away since the
    page was shown, and they keep them until this action is done."""
    actor = User.objects.select_for_update().filter(pk=by.pk).first()
    if actor is None or not actor.is_active or not actor.is_town_admin:
        raise PermissionDenied
    return actor


@transaction.atomic
def invite_staff(
    *,
    by: User,
    email: str,
    role: str,
    town_name: str,
    absolute_url: Callable[[str], str],
) -> SentInvitation:
    """Invite someone to the team: the link goes by email, only its hash is stored. Inviting an
    address again replaces its pending invitation (the old link stops working)."""
    email = email.strip().lower()
    if role not in INVITABLE_ROLES:
        raise TeamError(_("Choose administrator or moderator."))
    # One invitation to an address at a time: two sends at once leave one pending link.
    locked_profile()
    by = _still_admin(by)
    member = queries.account_for_email(email)
    if member is not None and member.role in queries.STAFF_ROLES:
        raise TeamError(
            _("%(email)s is already in the team, as %(role)s.")
            % {"email": email, "role": member.get_role_display().lower()}
        )
    now = timezone.now()
    pending = list(queries.pending_invitations().filter(email=email).values_list("pk", "role"))
    replaced = Invitation.objects.filter(pk__in=[pk for pk, _role in pending]).update(
        revoked_at=now
    )
    token, hashed = new_token(purpose=queries.INVITATION_PURPOSE)
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        token_hash=hashed,
        invited_by=by,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    # One entry: a link sent again replaces the pending one, whose role is the "before".
    audit.record(
        "invitation.sent",
        actor=by,
        target=invitation,
        target_label=email,
        before={"role": pending[0][1]} if pending else {},
        after={"role": role},
    )
    context = {
        "town_name": town_name,
        "inviter": by.display_name or by.email,
        "role": role,
        "link": absolute_url(reverse("townsite:accept_invitation", args=[token])),
        "expires_at": invitation.expires_at,
    }
    # The mailer queues the message once this transaction commits.
    send_templated("townsite/setup/email/invitation", context, [email])
    return SentInvitation(invitation=invitation, replaced_one=replaced > 0)


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, by: User) -> None:
    invitation = _locked_pending(invitation)  # first, as accepting does: no deadlock
    by = _still_admin(by)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        "invitation.revoked",
        actor=by,
        target=invitation,
        target_label=invitation.email,
        before={"role": invitation.role},
    )


@transaction.atomic
def change_role(*, member: User, role: str, by: User) -> User:
    """Make a member a resident, a moderator or an administrator. A town always keeps at least
    one administrator."""
    if role not in User.Role.values:
        raise TeamError(_("Choose a role from the list."))
    # Locked together: two administrators demoting each other at once cannot leave none.
    admins = list(
        User.objects.select_for_update()
        .filter(role=User.Role.ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.role == role:
        return member
    if member.role == User.Role.ADMIN and admins == [member.pk]:
        if member.pk == by.pk:
            raise TeamError(
                _(
                    "You are the only administrator of this site: name another administrator "
                    "first, then you can change your own role."
                )
            )
        raise TeamError(_("%(name)s is the only administrator of this site.") % {"name": member})
    if by.pk not in admins:  # demoted by another admin while the page was open
        raise PermissionDenied
    old = {"role": member.role}
    member.role = role
    member.save(update_fields=["role"])
    before, after = audit.changes(member, old, ["role"])
    leaves_team = role == User.Role.RESIDENT
    audit.record(
        "member.team_rights_removed" if leaves_team else "member.role_change",
        actor=by,
        target=member,
        before=before,
        after=after,
    )
    return member


# --- Accepting an invitation --------------------------------------------------------------


def _locked_pending(invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    state = queries.invitation_state(invitation)
    if state != "pending":
        raise InvitationGone(state)
    return invitation


def _accepted(invitation: Invitation, user: User, before: dict[str, str]) -> None:
    """The invitation is used; the entry names the person who accepted as its actor."""
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    after = {"role": user.role} if before.get("role") != user.role else {}
    audit.record(
        "invitation.accepted",
        actor=user,
        target=user,
        before=before if after else {},
        after=after,
    )


@transaction.atomic
def accept_invitation_with_new_account(
    invitation: Invitation, *, display_name: str, password: str
) -> User:
    """The invited person creates their account: the link proved the address is theirs."""
    invitation = _locked_pending(invitation)
    if queries.account_for_email(invitation.email) is not None:
        raise TeamError(_("An account already exists with this address: log in instead."))
    user = create_member(
        email=invitation.email,
        display_name=display_name.strip(),
        role=invitation.role,
        password=password,
        email_verified=True,
    )
    _accepted(invitation, user, before={})
    return user


@transaction.atomic
def accept_invitation_as_member(invitation: Invitation, user: User) -> User:
    """Someone who already has an account here, logged in with the invited address, joins the
    team. An invitation never lowers anyone's role."""
    invitation = _locked_pending(invitation)
    if user.email.lower() != invitation.email.lower():
        raise TeamError(_("This invitation is for another email address."))
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"role": user.role}
    if user.role != User.Role.ADMIN and user.role != invitation.role:
        user.role = invitation.role
        user.save(update_fields=["role"])
    EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(verified=True)
    _accepted(invitation, user, before)
    return user
