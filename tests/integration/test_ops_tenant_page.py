"""The console's page of one collectivité: identity, directory, admins, billing, invoices, log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import BillingAccount, Invoice
from tenants import audit
from tenants.models import Collectivite, Commune, Departement
from tests.helpers import body
from townsite.models import TownProfile

pytestmark = pytest.mark.django_db


def page_of(town: Collectivite, **query: str) -> str:
    return f"/ops/collectivites/{town.pk}/" + (
        "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    )


def add_invoices(account: BillingAccount, count: int) -> None:
    now = timezone.now()
    Invoice.objects.bulk_create(
        Invoice(
            account=account,
            stripe_invoice_id=f"in_page_{account.pk}_{n}",
            number=f"PLC-{n:04d}",
            status="paid",
            subtotal_cents=10000,
            tax_cents=2000,
            amount_due_cents=12000,
            amount_paid_cents=12000,
            hosted_invoice_url=f"https://invoice.example/{n}",
            invoice_pdf=f"https://invoice.example/{n}.pdf",
            created_at=now - timedelta(days=n),
        )
        for n in range(count)
    )


def add_entries(town: Collectivite, count: int) -> None:
    with transaction.atomic():
        for n in range(count):
            audit.record(
                "test.page_entry",
                before={"n": n},
                after={"n": n + 1},
                reason=f"raison {n}",
                collectivite=town,
            )


def test_the_page_shows_who_the_town_is(console: Client, town_a) -> None:
    response = console.get(page_of(town_a))
    assert response.status_code == 200
    html = body(response)
    assert town_a.name in html and town_a.official_code in html
    assert f'href="http://{town_a.primary_host}' in html


def test_the_directory_entry_is_shown(console: Client, town_a) -> None:
    Departement.objects.create(code="99", name="Essai-Département", search_name="essai")
    Commune.objects.create(
        insee_code=town_a.official_code,
        name=town_a.name,
        search_name="villeneuve",
        siren="219900011",
        postcodes=["99100"],
        departement="99",
        region="99",
        population=1512,
    )
    html = body(console.get(page_of(town_a)))
    assert "99 Essai-Département" in html
    assert "99100" in html and "219900011" in html


def test_the_towns_admins_are_listed_with_their_last_login(
    console: Client, town_a, admin_a: User, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        User.objects.filter(pk=admin_a.pk).update(last_login=timezone.now())
    html = body(console.get(page_of(town_a)))
    assert admin_a.email in html
    assert resident_a.email not in html


def test_the_modules_the_town_runs_are_read_in_its_schema(console: Client, town_a, town_b) -> None:
    with schema_context(town_a.schema_name):
        TownProfile.objects.update(ideas_enabled=False)
    html = body(console.get(page_of(town_a)))
    modules = html[html.index('id="tenant-modules"') :]
    modules = modules[: modules.index("</table>")]
    assert '<th scope="row">Boîte à idées</th><td>Désactivé</td>' in modules
    assert '<th scope="row">Entraide</th><td>Activé</td>' in modules
    other = body(console.get(page_of(town_b)))  # town B keeps its own
    assert '<th scope="row">Boîte à idées</th><td>Activé</td>' in other


def test_another_towns_admins_are_not_shown(console: Client, town_a, admin_b: User) -> None:
    assert admin_b.email not in body(console.get(page_of(town_a)))


def test_the_invoices_are_listed_with_their_amounts_and_links(console: Client, account_a) -> None:
    add_invoices(account_a, 2)
    html = body(console.get(page_of(account_a.collectivite)))
    assert "PLC-0000" in html and "PLC-0001" in html
    assert 'href="https://invoice.example/0.pdf"' in html
    assert 'href="https://invoice.example/1"' in html


def test_the_audit_log_shows_who_what_before_after_and_why(console: Client, town_a) -> None:
    add_entries(town_a, 1)
    html = body(console.get(page_of(town_a)))
    assert 'data-audit-action="test.page_entry"' in html
    assert "raison 0" in html
    assert "0 → 1" in html


def test_the_audit_log_keeps_to_its_town(console: Client, town_a, town_b) -> None:
    add_entries(town_b, 1)
    assert 'data-audit-action="test.page_entry"' not in body(console.get(page_of(town_a)))


def test_the_audit_log_is_newest_first_and_paginated(console: Client, town_a) -> None:
    add_entries(town_a, 30)
    first = body(console.get(page_of(town_a)))
    second = body(console.get(page_of(town_a, journal="2")))
    assert "raison 29" in first and "raison 4" not in first
    assert "raison 4" in second and "raison 29" not in second


def test_the_billing_section_links_to_each_action(console: Client, town_a) -> None:
    html = body(console.get(page_of(town_a)))
    for part in ("essai", "formule", "paiement", "offrir", "suspendre"):
        assert f'href="/ops/collectivites/{town_a.pk}/{part}/"' in html


def test_an_unknown_tenant_is_not_found(console: Client) -> None:
    assert console.get("/ops/collectivites/999999/").status_code == 404


# Session, user, TOTP (once: the middleware and the site share it), the town with its account
# and plan, its primary domain, the directory (commune, département), the admins and modules
# (schema exists, users, profile), the invoices (count, page), the log (count, page), the usage
# by month, the addresses, the data exports, and the support grants (the live one, the past
# ones, their uses): each with its `SET search_path`.
QUERIES = 38


@pytest.mark.parametrize("size", [1, 20])
def test_the_page_reads_a_fixed_number_of_queries(
    console: Client, account_a, admin_a, size: int, django_assert_num_queries
) -> None:
    town = account_a.collectivite
    add_invoices(account_a, size)
    add_entries(town, size)
    console.get(page_of(town))  # warm whatever is read once per process
    with django_assert_num_queries(QUERIES):
        response = console.get(page_of(town))
    assert response.status_code == 200
