"""While a sign-up request waits, it holds its collectivité and its address."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0003_signup_request_status")]

    operations = [
        migrations.AddConstraint(
            model_name='signuprequest',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('kind', 'official_code'), name='one_pending_request_per_collectivite'),
        ),
        migrations.AddConstraint(
            model_name='signuprequest',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('slug',), name='one_pending_request_per_slug'),
        ),
    ]
