"""Stripe events get attempts and a next attempt (the sweep); VAT as a Stripe tax rate."""

from django.db import migrations, models
from django.db.models.functions import Now


def sweep_what_was_left(apps, schema_editor):
    """Events received and never applied before this migration: the sweep runs them first."""
    if schema_editor.connection.schema_name != "public":
        return
    StripeEvent = apps.get_model("billing", "StripeEvent")
    StripeEvent.objects.filter(processed_at__isnull=True).update(next_attempt_at=Now())


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0002_default_plans'),
    ]

    operations = [
        migrations.CreateModel(
            name='TaxRate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('percentage', models.DecimalField(decimal_places=2, max_digits=5, unique=True)),
                ('stripe_tax_rate_id', models.CharField(blank=True, max_length=255)),
            ],
        ),
        migrations.AddField(
            model_name='invoice',
            name='subtotal_cents',
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name='invoice',
            name='tax_cents',
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name='stripeevent',
            name='attempts',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='stripeevent',
            name='next_attempt_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='stripeevent',
            index=models.Index(condition=models.Q(('processed_at__isnull', True)), fields=['next_attempt_at'], name='stripe_event_unprocessed'),
        ),
        migrations.RunPython(sweep_what_was_left, migrations.RunPython.noop),
    ]
