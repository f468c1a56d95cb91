"""Helpers of the support access tests: a grant made by a town admin, a support session opened
from the console as our staff do."""

from __future__ import annotations

from urllib.parse import urlparse

from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from ops import support_access
from ops.models import SupportGrant
from tenants.models import Collectivite


def grant(town: Collectivite, admin: User, hours: int = 24) -> SupportGrant:
    with schema_context(town.schema_name):
        return support_access.grant_access(town, hours=hours, granted_by=admin)


def entry_path(console: Client, town: Collectivite) -> str:
    """The town-site address the console's button sends staff to (path and query)."""
    response = console.post(f"/ops/collectivites/{town.pk}/support/")
    assert response.status_code == 302, response.status_code
    location = urlparse(response["Location"])
    assert location.hostname == town.primary_host.split(":")[0]
    return f"{location.path}?{location.query}"


def support_client(console: Client, town: Collectivite) -> Client:
    """A browser on the town's site holding a support session opened from the console."""
    client = Client(HTTP_HOST=town.primary_host)
    response = client.get(entry_path(console, town))
    assert response.status_code == 302, response.status_code
    return client
