"""How long from a trial's email confirmation to the new town's site being served.

Runs in the benchmarks' database (`placette_bench`, see _bench_support.use_bench_database),
where it keeps 200 tenants between runs. Each sample: a sign-up request is made, its link is
POSTed as the signer would (provisioning: schema cloned from the template, domain, admin, trial),
then the welcome link is followed and the town's home page fetched. Prints
`provisioning_median_s` (target: under 2 s with 200 tenants present).

    .venv/bin/python tests/bench/provisioning.py [--samples 15] [--tenants 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from _bench_support import emit, log, setup_django  # noqa: E402


def _remove_sampled_towns() -> None:
    """Leave the bench database as it was: the sampled towns go, the fillers stay."""
    from django.db import connection

    from billing.models import BillingAccount, Invoice
    from onboarding.models import LegalAcceptance, SignupRequest
    from tenants import schema
    from tenants.models import AuditEntry, Collectivite

    schema.activate_public()
    SignupRequest.objects.filter(email__startswith="bench@").delete()
    for town in Collectivite.objects.exclude(slug__startswith="filler-"):
        Invoice.objects.filter(account__collectivite=town).delete()
        LegalAcceptance.objects.filter(collectivite=town).delete()
        AuditEntry.objects.filter(collectivite=town).delete()  # the bench's own towns only
        BillingAccount.objects.filter(collectivite=town).delete()
        town.domains.all().delete()
        schema_name = town.schema_name
        town.delete()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{schema_name}" CASCADE')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--tenants", type=int, default=200)
    args = parser.parse_args()

    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.tokens import token_hash
    from billing.services import start_trial
    from onboarding import services
    from onboarding.claims import Signer
    from onboarding.directory import find
    from onboarding.legal import PROCESSING_AGREEMENT, TERMS
    from tenants.models import Collectivite, Commune
    from tenants.services import provision_collectivite

    log("Migrating the bench database...")
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
    call_command("migrate_tenant_template", verbosity=0, stdout=sys.stderr)
    call_command("load_reference_data", verbosity=0, stdout=sys.stderr)

    _remove_sampled_towns()  # what an interrupted run left
    existing = Collectivite.objects.filter(slug__startswith="filler-").count()
    if existing < args.tenants:
        log(f"Creating {args.tenants - existing} filler tenants (kept for later runs)...")
    for number in range(existing, args.tenants):
        town = provision_collectivite(
            name=f"Filler {number}",
            kind="commune",
            official_code=f"F{number:04d}",
            slug=f"filler-{number}",
        )
        start_trial(town)
        # One backend creating hundreds of schemas bloats its catalog caches (seen: 1 GB and
        # 3 s a clone after 80); a web worker never does that, so neither do the fillers.
        connection.close()
    log(f"{Collectivite.objects.count()} tenants present.")

    used = set(Collectivite.objects.values_list("official_code", flat=True))
    communes = [
        c
        for c in Commune.objects.order_by("-population")[: args.samples * 4]
        if c.insee_code not in used
    ][: args.samples]
    public = Client(HTTP_HOST="localhost")
    durations = []
    for commune in communes:
        entry = find("commune", commune.insee_code)
        assert entry is not None
        slug = services.proposed_slug(entry)
        services.request_trial(
            entry=entry,
            slug=slug,
            signer=Signer(
                name="Bench",
                role="maire",
                role_other="",
                email=f"bench@{slug}.example",
                phone="0102030405",
            ),
            terms_version=TERMS.current.id,
            dpa_version=PROCESSING_AGREEMENT.current.id,
        )
        signup = services.SignupRequest.objects.get(slug=slug, confirmed_at__isnull=True)
        token = "bench-" + slug
        signup.token_hash = token_hash(token, purpose=services.TRIAL_PURPOSE, schema="public")
        signup.save(update_fields=["token_hash"])

        connection.close()  # each confirmation is a request of its own, as in production
        started = time.perf_counter()
        response = public.post(f"/essai/confirmer/{token}/")
        assert response.status_code == 302, response.status_code
        welcome = response["Location"].split("://", 1)[1]
        host, path = welcome.split("/", 1)
        town_client = Client(HTTP_HOST=host.split(":")[0])
        landing = town_client.get("/" + path)
        assert landing.status_code == 302
        home = town_client.get("/")
        assert home.status_code == 200 and entry.name in home.content.decode()
        durations.append(time.perf_counter() - started)
        log(f"  {entry.name}: {durations[-1]:.3f} s")

    _remove_sampled_towns()
    emit("provisioning_median_s", statistics.median(durations), digits=3)
    emit("provisioning_max_s", max(durations), digits=3)
    emit("provisioning_tenants_present", Collectivite.objects.count() + 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
