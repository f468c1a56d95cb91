import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0006_domain_redirects_when_secondary"),
    ]

    operations = [
        # Added without a default first: the domains already there keep "unknown" (null)
        # rather than the date of this migration; new ones get the time they are created.
        migrations.AddField(
            model_name="domain",
            name="added_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="added"),
        ),
        migrations.AlterField(
            model_name="domain",
            name="added_at",
            field=models.DateTimeField(
                blank=True, default=django.utils.timezone.now, null=True, verbose_name="added"
            ),
        ),
    ]
