"""What a billing status lets a town's site do: decided here, and only here."""

from __future__ import annotations

from billing.models import BillingAccount
from tenants.models import Collectivite

Status = BillingAccount.Status
Access = Collectivite.Access

_ACCESS = {
    Status.TRIALING: Access.FULL,
    Status.ACTIVE: Access.FULL,
    Status.PAST_DUE: Access.FULL,  # with a banner for admins
    Status.SPONSORED: Access.FULL,
    Status.READ_ONLY: Access.READ_ONLY,  # residents read; nobody posts; admins export, subscribe
    Status.CANCELED: Access.READ_ONLY,
    Status.SUSPENDED: Access.ADMINS_ONLY,  # the public sees a status page; admins pay or export
}

# What stays reachable, whatever the access: signing in and out (also with a town hall code),
# the language, one's own account (its data export and deletion are rights, paid or not), and
# for admins, paying and exporting the town's data.
ALWAYS_OPEN_PREFIXES = ("/accounts/", "/premiere-connexion/", "/mon-compte/", "/i18n/", "/static/")
ADMIN_PREFIXES = ("/administration/abonnement/", "/administration/export/")

# The pages where someone joins the town's site: by themselves (allauth) or at the town hall
# desk. Joining needs full access: a read-only or suspended site takes in nobody new.
SIGNUP_VIEWS = frozenset({"account_signup", "townsite:assisted_signup"})


def access_for(status: str) -> str:
    return _ACCESS[Status(status)]


def may_sign_up(access: str) -> bool:
    return access == Access.FULL
