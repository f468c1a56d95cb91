"""One collectivité's page in the console: who it is, its domains, billing, usage and log.

Every figure comes from the public schema, except the town's admins, read from its own schema in
one query. The page reads a fixed number of queries, whatever the number of invoices or audit
entries (each list is a page of its own, `?factures=` and `?journal=`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django_tenants.utils import schema_context, schema_exists

from accounts.models import User
from billing.models import BillingAccount
from ops import site_facts
from ops.site import ops_site
from tenants.addresses import host_url
from tenants.models import AuditEntry, Collectivite, Commune, Departement, Domain, Epci

AUDIT_PER_PAGE = 25
INVOICES_PER_PAGE = 12
ADMINS_SHOWN = 50


@dataclass(frozen=True)
class Directory:
    """The official directory's entry of the collectivité (None fields: not in the directory)."""

    commune: Commune | None = None
    epci: Epci | None = None
    departement: Departement | None = None
    member_count: int = 0
    member_population: int = 0


@dataclass(frozen=True)
class TownAdmin:
    name: str
    email: str
    last_login: datetime | None
    is_active: bool


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    changes: list[tuple[str, Any, Any]]

    @property
    def by_staff(self) -> bool:
        return self.entry.actor_schema == "public"

    @property
    def by_system(self) -> bool:
        return not self.entry.actor_schema and not self.entry.actor_label


def directory_entry(tenant: Collectivite) -> Directory:
    if tenant.is_intercommunalite:
        epci = Epci.objects.filter(siren=tenant.official_code).first()
        if epci is None:
            return Directory()
        members = Commune.objects.filter(epci=epci)
        totals = members.aggregate(count=Count("pk"), population=Sum("population"))
        # Its département is its most populated member's, as the tenants list shows it.
        biggest = members.order_by("-population").values_list("departement", flat=True).first()
        departement = Departement.objects.filter(code=biggest).first() if biggest else None
        return Directory(
            epci=epci,
            departement=departement,
            member_count=totals["count"] or 0,
            member_population=totals["population"] or 0,
        )
    commune = Commune.objects.select_related("epci").filter(insee_code=tenant.official_code).first()
    if commune is None:
        return Directory()
    departement = Departement.objects.filter(code=commune.departement).first()
    return Directory(commune=commune, departement=departement)


Facts = list[tuple[site_facts.Fact, list[tuple[Any, Any]]]]


def town_reads(tenant: Collectivite) -> tuple[list[TownAdmin] | None, Facts | None]:
    """Read in the town's own schema: its admins with their last login, and what the apps of
    its site say about it (its modules...). None for both while it has no schema yet."""
    if tenant.wiped_at is not None or not schema_exists(tenant.schema_name):
        return None, None  # not made yet, or wiped (an empty schema is kept under its name)
    with schema_context(tenant.schema_name):
        rows = User.objects.filter(role=User.Role.ADMIN).order_by("display_name", "pk")
        admins = [
            TownAdmin(user.display_name, user.email, user.last_login, user.is_active)
            for user in rows.only("display_name", "email", "last_login", "is_active")[:ADMINS_SHOWN]
        ]
        return admins, site_facts.read_all()


def audit_rows(page: Page[AuditEntry]) -> list[AuditRow]:
    rows = []
    for entry in page.object_list:
        before, after = entry.before or {}, entry.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        changes = [(key, before.get(key), after.get(key)) for key in keys]
        rows.append(AuditRow(entry, changes))
    return rows


def _account(tenant: Collectivite) -> BillingAccount | None:
    try:
        return tenant.billing_account
    except ObjectDoesNotExist:  # a town still being prepared has no account yet
        return None


def tenant_page(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = get_object_or_404(Collectivite.objects.select_related("billing_account__plan"), pk=pk)
    account = _account(tenant)
    primary = Domain.objects.filter(tenant=tenant, is_primary=True).values_list("domain", flat=True)
    primary_host = primary.first() or tenant.primary_host
    invoices = None
    if account is not None:
        invoices = Paginator(account.invoices.order_by("-created_at", "-pk"), INVOICES_PER_PAGE)
    audit = Paginator(
        AuditEntry.objects.filter(collectivite=tenant).order_by("-created_at", "-pk"),
        AUDIT_PER_PAGE,
    )
    audit_page = audit.get_page(request.GET.get("journal"))
    admins, facts = town_reads(tenant)
    context = {
        **ops_site.each_context(request),
        "title": tenant.name,
        "tenant": tenant,
        "account": account,
        "primary_host": primary_host,
        "site_url": host_url(primary_host),
        "directory": directory_entry(tenant),
        "admins": admins,
        "facts": facts,
        "invoices_page": invoices.get_page(request.GET.get("factures")) if invoices else None,
        "audit_page": audit_page,
        "audit_rows": audit_rows(audit_page),
    }
    return TemplateResponse(request, "ops/tenant.html", context)


urlpatterns = [
    path("collectivites/<int:pk>/", ops_site.admin_view(tenant_page), name="tenant"),
]
