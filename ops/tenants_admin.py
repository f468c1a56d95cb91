"""The tenants list: every collectivité with its lifecycle, billing and activity, in one query."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import Case
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from billing.models import BillingAccount, Plan
from ops import list_cache
from ops.models import TenantFigures
from ops.site import ops_site
from tenants.models import NAME_WORDS, Collectivite, Commune, Departement, Domain
from tenants.text_search import FoldAccents

# A commune's INSEE code starts with its département: two characters (01, 2A...), three overseas
# (971...). An intercommunalité's is the département of its most populated member commune.
OVERSEAS = r"^9[78]"
EPCI_DEPARTEMENT = Subquery(
    Commune.objects.filter(epci_id=OuterRef("official_code"))
    .order_by("-population")
    .values("departement")[:1]
)
DEPARTEMENT = Case(
    When(kind=Collectivite.Kind.INTERCOMMUNALITE, then=EPCI_DEPARTEMENT),
    When(official_code__regex=OVERSEAS, then=Substr("official_code", 1, 3)),
    default=Substr("official_code", 1, 2),
    output_field=CharField(),
)


LISTED_COLUMNS = [
    "name",
    "kind",
    "official_code",
    "population",
    "status",
    "created_at",
    "billing_account__status",
    "billing_account__trial_ends_at",
    "billing_account__plan__name",
    "figures__active_residents_30d",
    "figures__last_activity_at",
]


def name_words(term: str) -> SearchQuery | None:
    """The typed words as prefixes, each beginning a word of the name ("saint ger" finds
    "Saint-Germain-en-Laye"), accents folded as the column folds them. Only letters and
    digits reach the query's syntax."""
    words = re.findall(r"[^\W_]+", term.lower())
    if not words:
        return None
    raw = " & ".join(f"{word}:*" for word in words)
    return SearchQuery(
        FoldAccents(Value(raw, output_field=CharField())), config="simple", search_type="raw"
    )


TOTAL_KEY = "ops:tenants-total"
TOTAL_SECONDS = 60


class TenantsPaginator(Paginator):
    """The whole list's total (36,000 rows to count) is counted at most once a minute; a
    filtered or searched page is counted exactly. A cache that does not answer counts."""

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is None or query.has_filters():
            return super().count
        total = cache.get(TOTAL_KEY)
        if not isinstance(total, int):
            total = super().count
            cache.set(TOTAL_KEY, total, TOTAL_SECONDS)
        return total


class DepartementFilter(admin.SimpleListFilter):
    """By département: the communes whose code starts with it, the intercommunalités one of
    whose communes is in it. Shown as a select of the directory's départements."""

    title = _("département")
    parameter_name = "departement"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        directory = Departement.objects.values_list("code", "name")
        return [(code, f"{code} {name}") for code, name in directory]

    def has_output(self) -> bool:
        # Without it, a database whose directory is not loaded would ignore ?departement=.
        return True

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        code = self.value()
        if not code:
            return queryset
        # On the codes themselves rather than on the computed column, so an index can serve it.
        members = Commune.objects.filter(departement=code, epci__isnull=False).values("epci_id")
        return queryset.filter(
            Q(kind=Collectivite.Kind.COMMUNE, official_code__startswith=code)
            | Q(kind=Collectivite.Kind.INTERCOMMUNALITE, official_code__in=members)
        )


class BillingStatusFilter(admin.ChoicesFieldListFilter):
    """The billing account's status, named as its column is (both models have a "status")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = _("billing")


def billing_account(town: Collectivite) -> BillingAccount | None:
    try:
        return town.billing_account
    except ObjectDoesNotExist:  # a town still being prepared has no account yet
        return None


def figures(town: Collectivite) -> TenantFigures | None:
    try:
        return town.figures
    except ObjectDoesNotExist:  # not refreshed yet by the periodic task
        return None


def _figure(town: Collectivite, name: str) -> Any:
    shown = figures(town)
    return getattr(shown, name) if shown else None


@admin.register(Collectivite, site=ops_site)
class TenantsAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "departement",
        "population",
        "status",
        "billing_status",
        "trial_end",
        "plan",
        "active_residents",
        "last_activity",
        "created_at",
    ]
    list_filter = [
        "status",
        ("billing_account__status", BillingStatusFilter),
        "kind",
        DepartementFilter,
        "billing_account__plan",
    ]
    # An admin's email lives in the town's own schema: the billing email is the one kept here.
    search_fields = [
        "name",
        "=official_code",
        "=siren",
        "domains__domain",
        "billing_account__billing_email",
    ]
    search_help_text = _("Name, INSEE code or SIREN, subdomain or billing email.")
    list_select_related = ["billing_account__plan", "figures"]
    # Newest first, on the primary key's index: the page reads 50 rows, not 36,000 to sort them.
    ordering = ["-pk"]
    list_per_page = 50
    # The exact total of 36,000 rows on every page costs a second COUNT; the filtered one is shown.
    show_full_result_count = False
    actions = None
    paginator = TenantsPaginator

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The admin's ChangeList (search, filters, sorting, pagination) in the console's lean
        frame: one form for the search and the filters, the rows written by
        ops.templatetags.ops_tenants, the whole body shared by our staff for a few seconds
        (ops.list_cache). Staff load this page all day; the admin's own template, its blocks
        and a template per filter took most of each request's time."""
        if not self.has_view_permission(request):
            raise PermissionDenied

        def render() -> str:
            changelist = self.get_changelist_instance(request)
            context = {"cl": changelist, "opts": self.model._meta}
            return render_to_string("ops/tenants_list_body.html", context, request)

        try:
            body = list_cache.body(request.GET, render)
        except IncorrectLookupParameters:
            if ERROR_FLAG in request.GET:  # the parameters were already refused once
                return TemplateResponse(
                    request, "admin/invalid_setup.html", {"title": _("Database error")}
                )
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        context = {
            "site_header": self.admin_site.site_header,
            "site_title": self.admin_site.site_title,
            "title": _("Collectivités"),
            "body": body,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "ops/tenants_list.html", context)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Collectivite], search_term: str
    ) -> tuple[QuerySet[Collectivite], bool]:
        """The term's shape says what it is: an email, a code (INSEE, SIREN), or a name or a
        subdomain. A name matches by the beginnings of its words, accents ignored, through its
        expression index; subdomains and domains are prefixes, which their unique indexes
        serve. The matching keys are read once, so the count and the page do not scan again."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            emails = BillingAccount.objects.filter(billing_email__icontains=term)
            branches = [emails.values_list("collectivite_id")]
        elif term.isdigit():
            branches = [
                Collectivite.objects.filter(official_code=term).values_list("pk"),
                Collectivite.objects.filter(siren=term).values_list("pk"),
            ]
        else:
            host = term.lower()
            branches = [
                Collectivite.objects.filter(slug__startswith=host).values_list("pk"),
                Domain.objects.filter(domain__startswith=host).values_list("tenant_id"),
            ]
            words = name_words(term)
            if words:
                names = Collectivite.objects.annotate(words=NAME_WORDS).filter(words=words)
                branches.append(names.values_list("pk"))
        # A UNION, not an OR: each part reads its own index, where an OR scans the table.
        first, *others = branches
        found = [key for (key,) in first.union(*others)] if others else [k for (k,) in first]
        return queryset.filter(pk__in=found), False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Collectivite]:
        # Only the columns the list shows: 50 rows of four models are read on every page.
        return (
            super()
            .get_queryset(request)
            .annotate(departement_code=DEPARTEMENT)
            .only(*LISTED_COLUMNS)
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """A collectivité's row leads to its page, where every change is a reasoned action."""
        if not object_id.isdecimal():
            raise Http404
        return redirect("ops:tenant", int(object_id))

    # Read only for now: every change will be an action through the services, with its reason.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("département"), ordering="departement_code")
    def departement(self, town: Collectivite) -> str | None:
        return town.departement_code

    @admin.display(description=_("billing"), ordering="billing_account__status")
    def billing_status(self, town: Collectivite) -> str | None:
        account = billing_account(town)
        return account.get_status_display() if account else None

    @admin.display(description=_("trial end"), ordering="billing_account__trial_ends_at")
    def trial_end(self, town: Collectivite) -> datetime | None:
        account = billing_account(town)
        return account.trial_ends_at if account else None

    @admin.display(description=_("plan"), ordering="billing_account__plan__min_population")
    def plan(self, town: Collectivite) -> Plan | None:
        account = billing_account(town)
        return account.plan if account else None

    @admin.display(
        description=_("active residents (30 days)"), ordering="figures__active_residents_30d"
    )
    def active_residents(self, town: Collectivite) -> int | None:
        return _figure(town, "active_residents_30d")

    @admin.display(description=_("last activity"), ordering="figures__last_activity_at")
    def last_activity(self, town: Collectivite) -> datetime | None:
        return _figure(town, "last_activity_at")
