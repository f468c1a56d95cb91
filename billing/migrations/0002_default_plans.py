"""Seed the default plans by population band (ops can edit them afterwards)."""

from django.db import migrations

# code, name, from, up to (excluded), monthly, yearly: euro cents excluding VAT.
DEFAULT_PLANS = [
    ("village", "Moins de 2 000 habitants", 0, 2_000, 2_900, 29_000),
    ("bourg", "De 2 000 à 10 000 habitants", 2_000, 10_000, 7_900, 79_000),
    ("ville", "De 10 000 à 50 000 habitants", 10_000, 50_000, 19_900, 199_000),
    ("grande-ville", "Plus de 50 000 habitants", 50_000, None, 49_000, 490_000),
]


def seed_plans(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("billing", "Plan")
    for code, name, low, high, monthly, yearly in DEFAULT_PLANS:
        Plan.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "min_population": low,
                "max_population": high,
                "monthly_price_cents": monthly,
                "yearly_price_cents": yearly,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(seed_plans, migrations.RunPython.noop)]
