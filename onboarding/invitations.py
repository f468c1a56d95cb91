"""A town admin who never chose a password (or lost the welcome email) gets a new way in: our
staff send a fresh welcome link by email, valid 48 hours, one use, bound to the town's schema.

The link leads where the sign-up's own welcome link does (townsite.welcome): logged in, then
asked to choose a password. An admin who has a password is refused: a link that logs in
without one would be a way around it, and "Forgot your password?" on the login page is theirs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts import tokens
from accounts.mail import send_templated
from accounts.models import User
from onboarding.errors import SignupError
from onboarding.services import WELCOME_PURPOSE, WELCOME_VALIDITY
from tenants import audit
from tenants.addresses import town_url
from tenants.models import Collectivite

INVITATION_PURPOSE = "onboarding.welcome_again"
# Read in an inbox, perhaps the next day: longer than the sign-up's link, shown at once.
INVITATION_VALIDITY = timedelta(hours=48)
# Every welcome link the town's site accepts (townsite.welcome): its purpose and its validity.
WELCOME_LINKS = ((WELCOME_PURPOSE, WELCOME_VALIDITY), (INVITATION_PURPOSE, INVITATION_VALIDITY))


class InvitationError(SignupError):
    """Why no invitation can be sent, in French; nothing was sent nor recorded."""


def welcome_link(town: Collectivite, admin: User) -> str:
    token = tokens.sign({"user": admin.pk}, purpose=INVITATION_PURPOSE, schema=town.schema_name)
    return town_url(town.slug, f"/bienvenue/{token}/")


@transaction.atomic
def resend_admin_invitation(town: Collectivite, *, actor: Any, reason: str) -> User:
    """Email a new welcome link to the town's first admin still without a password."""
    reason = reason.strip()
    if not reason:
        raise InvitationError(_("Say why you make this change."))
    town = Collectivite.objects.select_for_update().get(pk=town.pk)
    with schema_context(town.schema_name):
        admins = list(
            User.objects.select_for_update()
            .filter(role=User.Role.ADMIN, is_active=True)
            .order_by("date_joined", "pk")
        )
        waiting = [admin for admin in admins if not admin.has_usable_password()]
        if not admins:
            raise InvitationError(
                _("This site has no active admin: there is nobody to send an invitation to.")
            )
        if not waiting:
            raise InvitationError(
                _(
                    "Every admin of this site already chose a password. They log in with it; "
                    "if they lost it, “Forgot your password?” on the login page sends them a "
                    "new one."
                )
            )
        admin = waiting[0]
        context = {"town": town, "admin": admin, "link": welcome_link(town, admin)}
        send_templated("onboarding/email/invitation", context, [admin.email])  # after commit
    audit.record(  # from the public schema: the actor is one of our staff
        "collectivite.admin_invitation_resend",
        actor=actor,
        target=admin,
        target_label=admin.email,
        after={"email": admin.email},
        reason=reason,
        collectivite=town,
    )
    return admin
