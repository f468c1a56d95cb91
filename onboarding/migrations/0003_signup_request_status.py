"""Each sign-up request gets its state: confirmed, expired, or still waiting (at most one waits
for each collectivité and each address: the newest, before 0004 makes that a rule)."""

from django.db import migrations
from django.utils import timezone


def set_status(apps, schema_editor):
    SignupRequest = apps.get_model("onboarding", "SignupRequest")
    SignupRequest.objects.filter(confirmed_at__isnull=False).update(status="confirmed")
    SignupRequest.objects.filter(confirmed_at__isnull=True, expires_at__lte=timezone.now()).update(
        status="expired"
    )
    towns, slugs = set(), set()
    for request in SignupRequest.objects.filter(status="pending").order_by("-created_at", "-pk"):
        town = (request.kind, request.official_code)
        if town in towns or request.slug in slugs:
            request.status = "expired"
            request.save(update_fields=["status"])
        towns.add(town)
        slugs.add(request.slug)


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0002_claims_and_legal_acceptance")]

    operations = [migrations.RunPython(set_status, migrations.RunPython.noop)]
