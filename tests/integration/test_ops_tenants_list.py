"""The ops console's tenants list: what it shows, how staff find a town, and its query count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import formats, timezone

from billing.models import BillingAccount, Plan
from ops.models import TenantFigures
from ops.tenants_admin import TOTAL_KEY, TenantsAdmin
from tenants.models import Collectivite, Domain
from tests.directory_sample import GALLY_MAULDRE, load_directory_sample
from tests.helpers import body
from tests.integration.test_redis_down import redis_server  # noqa: F401  (fixture)
from tests.ops_support import TENANTS_LIST

pytestmark = pytest.mark.django_db

# Session, user, TOTP (asked once: the root domain's middleware and the site share the answer),
# the filters' choices (départements, plans), the count and the page: seven, each after its
# `SET search_path`.
QUERIES = 14
# A search reads the matching keys first, once.
SEARCH_QUERIES = QUERIES + 2


def rows(count: int, *, prefix: str = "Lieu", code_start: int = 10000) -> list[Collectivite]:
    """Tenants rows without schemas (bulk_create does not call save), each with an account."""
    towns = Collectivite.objects.bulk_create(
        Collectivite(
            name=f"{prefix} {n:03d}",
            kind=Collectivite.Kind.COMMUNE,
            official_code=str(code_start + n),
            slug=f"{prefix.lower()}-{n}",
            schema_name=f"{prefix.lower()}_{n}",
            population=100 + n,
            status=Collectivite.Status.READY,
        )
        for n in range(count)
    )
    plan = Plan.objects.order_by("min_population").first()
    BillingAccount.objects.bulk_create(
        BillingAccount(collectivite=town, plan=plan, trial_ends_at=timezone.now()) for town in towns
    )
    TenantFigures.objects.bulk_create(
        TenantFigures(collectivite=town, active_residents_30d=n) for n, town in enumerate(towns)
    )
    return towns


def names(response) -> list[str]:
    return [town.name for town in response.context["cl"].result_list]


def test_the_list_shows_each_town_with_its_billing(console: Client, town_a, town_b) -> None:
    response = console.get(TENANTS_LIST)
    assert response.status_code == 200
    page = body(response)
    assert town_a.name in page and town_b.name in page
    assert "Essai gratuit" in page  # the billing status, in French
    assert '<td class="field-status">En service</td>' in page


def test_figures_show_a_dash_until_the_task_fills_them(console: Client, town_a) -> None:
    page = body(console.get(TENANTS_LIST, {"q": town_a.name}))
    assert '<td class="field-active_residents">—</td>' in page
    assert '<td class="field-last_activity">—</td>' in page
    TenantFigures.objects.create(
        collectivite=town_a, active_residents_30d=4321, last_activity_at=timezone.now()
    )
    response = console.get(TENANTS_LIST, {"q": town_a.name})
    assert '<td class="field-active_residents">4321</td>' in body(response)


@pytest.mark.parametrize(
    "query", ["Villeneuve", "villeneuve-les", "99001", "217801521", "town-a", "mairie@villeneuve"]
)
def test_search_by_name_code_siren_subdomain_or_billing_email(
    console: Client, town_a, town_b, query: str
) -> None:
    Collectivite.objects.filter(pk=town_a.pk).update(siren="217801521")
    BillingAccount.objects.filter(collectivite=town_a).update(
        billing_email="mairie@villeneuve.example"
    )
    response = console.get(TENANTS_LIST, {"q": query})
    assert names(response) == [town_a.name]


@pytest.mark.parametrize("query", ["evry", "ÉVRY cou", "courcouronnes", "Évry-Courc"])
def test_a_name_is_found_by_the_beginnings_of_its_words_whatever_the_accents(
    console: Client, town_a, town_b, query: str
) -> None:
    Collectivite.objects.filter(pk=town_a.pk).update(name="Évry-Courcouronnes")
    response = console.get(TENANTS_LIST, {"q": query})
    assert names(response) == ["Évry-Courcouronnes"]


@pytest.mark.parametrize("query", ["vry", "evry paris", "'&|!:*", "()"])
def test_a_name_search_matches_no_inner_part_and_reads_no_query_syntax(
    console: Client, town_a, query: str
) -> None:
    Collectivite.objects.filter(pk=town_a.pk).update(name="Évry-Courcouronnes")
    response = console.get(TENANTS_LIST, {"q": query})
    assert response.status_code == 200
    assert names(response) == []


def test_a_search_finds_a_custom_domain(console: Client, town_a) -> None:
    Domain.objects.create(tenant=town_a, domain="entraide.town-a.example", is_primary=False)
    response = console.get(TENANTS_LIST, {"q": "entraide"})
    assert names(response) == [town_a.name]


def test_filter_by_lifecycle_status(console: Client, town_a, town_b) -> None:
    Collectivite.objects.filter(pk=town_b.pk).update(status=Collectivite.Status.SUSPENDED)
    response = console.get(TENANTS_LIST, {"status__exact": "suspended"})
    assert names(response) == [town_b.name]


def test_filter_by_billing_status(console: Client, town_a, town_b) -> None:
    BillingAccount.objects.filter(collectivite=town_b).update(status="sponsored")
    response = console.get(TENANTS_LIST, {"billing_account__status__exact": "sponsored"})
    assert names(response) == [town_b.name]


def test_filter_by_kind(console: Client, town_a, town_b) -> None:
    Collectivite.objects.filter(pk=town_b.pk).update(kind="epci", official_code=GALLY_MAULDRE)
    response = console.get(TENANTS_LIST, {"kind__exact": "epci"})
    assert names(response) == [town_b.name]


def test_filter_by_departement_covers_communes_and_intercommunalites(
    console: Client, town_a, town_b
) -> None:
    load_directory_sample()
    Collectivite.objects.filter(pk=town_a.pk).update(official_code="78152")  # Chavenay
    Collectivite.objects.filter(pk=town_b.pk).update(kind="epci", official_code=GALLY_MAULDRE)
    rows(2, code_start=91000)
    response = console.get(TENANTS_LIST, {"departement": "78"})
    assert sorted(names(response)) == sorted([town_a.name, town_b.name])
    assert "Yvelines" in body(response)  # the filter's choices come from the directory
    page = body(response)
    assert page.count('<td class="field-departement">78</td>') == 2


def test_filter_by_plan(console: Client, town_a, town_b) -> None:
    plans = list(Plan.objects.order_by("min_population")[:2])
    BillingAccount.objects.filter(collectivite=town_a).update(plan=plans[0])
    BillingAccount.objects.filter(collectivite=town_b).update(plan=plans[1])
    response = console.get(TENANTS_LIST, {"billing_account__plan__id__exact": plans[1].pk})
    assert names(response) == [town_b.name]


def test_sortable_by_population(console: Client, town_a, town_b) -> None:
    Collectivite.objects.filter(pk=town_a.pk).update(population=90)
    Collectivite.objects.filter(pk=town_b.pk).update(population=80)
    column = TenantsAdmin.list_display.index("population")
    ascending = names(console.get(TENANTS_LIST, {"o": str(column)}))
    descending = names(console.get(TENANTS_LIST, {"o": f"-{column}"}))
    assert ascending[:2] == [town_b.name, town_a.name]
    assert descending[-2:] == [town_a.name, town_b.name]


def test_paginated(console: Client, town_a) -> None:
    rows(60)
    first = console.get(TENANTS_LIST)
    second = console.get(TENANTS_LIST, {"p": "2"})
    assert len(names(first)) == 50
    assert len(names(second)) == 62 - 50
    assert not set(names(first)) & set(names(second))


def test_nothing_can_be_added_changed_or_deleted(console: Client, town_a) -> None:
    assert console.get(f"{TENANTS_LIST}add/").status_code == 403
    assert console.post(f"{TENANTS_LIST}{town_a.pk}/delete/").status_code == 403
    # The row's change page is the collectivité's own page, where changes are reasoned actions.
    response = console.post(f"{TENANTS_LIST}{town_a.pk}/change/", {"name": "Renamed"})
    assert response.status_code == 302
    assert response["Location"] == f"/ops/collectivites/{town_a.pk}/"
    town_a.refresh_from_db()
    assert town_a.name != "Renamed"
    assert Collectivite.objects.filter(pk=town_a.pk).exists()


@pytest.mark.parametrize("extra", [3, 60])
def test_the_list_takes_a_constant_number_of_queries(
    console: Client, django_assert_num_queries, town_a, extra: int
) -> None:
    towns = rows(extra)
    Domain.objects.bulk_create(
        Domain(tenant=town, domain=f"{town.slug}.example", is_primary=True) for town in towns
    )
    console.get(TENANTS_LIST)  # the session and the site's look cached, as on a running server
    with django_assert_num_queries(QUERIES):
        response = console.get(TENANTS_LIST, {"departement": "10", "o": "-9"})
    assert response.status_code == 200
    assert len(names(response)) == min(extra, 50)  # codes 10000...: all in département 10
    with django_assert_num_queries(SEARCH_QUERIES):
        response = console.get(TENANTS_LIST, {"q": "lieu"})
    assert len(names(response)) == min(extra, 50)


def test_trial_end_is_shown(console: Client, town_a) -> None:
    end = timezone.now() + timedelta(days=12)
    BillingAccount.objects.filter(collectivite=town_a).update(trial_ends_at=end)
    response = console.get(TENANTS_LIST, {"q": town_a.name})
    shown = formats.date_format(timezone.localtime(end), "SHORT_DATE_FORMAT")
    assert f'<td class="field-trial_end nowrap">{shown}</td>' in body(response)


def chosen(page: str, name: str) -> list[str]:
    """The values shown as chosen in the select named `name`."""
    select = page[page.index(f'<select id="ops-filter-{name}" name="{name}">') :]
    select = select[: select.index("</select>")]
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_one_form_sends_the_search_and_every_filter_and_shows_what_was_chosen(
    console: Client, town_a
) -> None:
    load_directory_sample()
    response = console.get(
        TENANTS_LIST,
        {"departement": "78", "status__exact": "ready", "q": "x", "o": "-4", "p": "1"},
    )
    page = body(response)
    form = page[page.index('<form id="changelist-search"') :]
    form = form[: form.index("</form>")]
    assert form.count("<select ") == 5  # status, billing, kind, département, plan
    assert chosen(form, "departement") == ["78"]
    assert chosen(form, "status__exact") == ["ready"]
    assert chosen(form, "kind__exact") == [""]  # "All"
    assert 'id="searchbar" name="q" value="x"' in form
    assert '<input type="hidden" name="o" value="-4">' in form  # the sorting is kept
    assert 'name="p"' not in form  # a new choice starts again from the first page
    assert "Effacer tous les filtres" in form


def test_a_page_link_keeps_the_filters(console: Client, town_a) -> None:
    rows(60)
    page = body(console.get(TENANTS_LIST, {"status__exact": "ready"}))
    pages = page[page.index('<nav class="paginator"') :]
    assert "Page 1 sur 2" in pages
    assert "?p=2&amp;status__exact=ready" in pages or "?status__exact=ready&amp;p=2" in pages


def test_an_unknown_filter_is_refused_then_explained(console: Client, town_a) -> None:
    response = console.get(TENANTS_LIST, {"billing_account__plan__id__exact": "abc"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    assert console.get(response["Location"]).status_code == 200


def total(response) -> int:
    return response.context["cl"].result_count


def test_the_whole_lists_total_is_counted_at_most_once_a_minute(console: Client, town_a) -> None:
    first = total(console.get(TENANTS_LIST))
    rows(3)
    assert total(console.get(TENANTS_LIST)) == first  # the minute's count
    filtered = console.get(TENANTS_LIST, {"status__exact": "ready"})
    assert total(filtered) == Collectivite.objects.filter(status="ready").count()  # exact
    searched = console.get(TENANTS_LIST, {"q": "lieu"})
    assert total(searched) == 3
    cache.delete(TOTAL_KEY)  # a minute later
    assert total(console.get(TENANTS_LIST)) == first + 3


def test_without_redis_the_whole_list_is_counted(
    redis_server,  # noqa: F811
    console: Client,
    town_a,
) -> None:
    assert console.get(TENANTS_LIST).status_code == 200
    redis_server.stop()
    rows(2)
    response = console.get(TENANTS_LIST)
    assert response.status_code == 200
    assert total(response) == Collectivite.objects.count()
