"""Celery beat's schedule (settings.CELERY_BEAT_SCHEDULE): what runs when, in every town."""

from celery.schedules import crontab

SCHEDULE: dict[str, dict[str, object]] = {
    "billing-daily": {
        "task": "billing.tasks.run_daily_billing",
        "schedule": crontab(hour=6, minute=30),
    },
    # Stripe events not applied yet (their task lost or failed) are run again, with backoff.
    "billing-stripe-events-sweep": {
        "task": "billing.tasks.sweep_stripe_events",
        "schedule": 60.0,
        "options": {"expires": 55},  # a sweep still waiting when the next one is due is dropped
    },
    "onboarding-purge": {
        "task": "onboarding.tasks.purge_old_requests",
        "schedule": crontab(hour=4, minute=10),
    },
    # Notification digests, town by town, in the morning (a resident gets at most one a period).
    "notifications-daily-digests": {
        "task": "tenants.tasks.for_each_ready_tenant",
        "args": ("notifications.tasks.send_digests", "daily"),
        "schedule": crontab(hour=7, minute=0),
    },
    "notifications-weekly-digests": {
        "task": "tenants.tasks.for_each_ready_tenant",
        "args": ("notifications.tasks.send_digests", "weekly"),
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    # Consultations published ahead of their opening: their audience is told when they open.
    "consultations-opening-notices": {
        "task": "tenants.tasks.for_each_ready_tenant",
        "args": ("participation.consultations.tasks.send_opening_notices",),
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Tasks kept in PostgreSQL while Redis was away (tenants.task_outbox), sent once it is back.
    "tenants-relay-kept-tasks": {"task": "tenants.tasks.relay_kept_tasks", "schedule": 30.0},
    # Data export archives past their 24 hours are removed (their rows stay, as "expired").
    "tenants-purge-data-exports": {
        "task": "tenants.tasks.purge_expired_exports",
        "schedule": crontab(minute=15),
    },
    # Authors of posts ending within 3 days are reminded (one copy per town, in its schema).
    "mutual-aid-expiry-reminders": {
        "task": "tenants.tasks.for_each_ready_tenant",
        "schedule": crontab(hour=9, minute=0),
        "args": ("mutual_aid.posting.tasks.remind_expiring_posts",),
    },
    # The console's figures of every serving town (active residents, last activity, migrations
    # behind), hourly; each night also the usage of this month and the previous one.
    "ops-tenant-figures": {
        "task": "ops.tasks.refresh_all_figures",
        "schedule": crontab(minute=15),
        "options": {"expires": 3000},
    },
    "ops-tenant-usage": {
        "task": "ops.tasks.refresh_all_figures",
        "args": (2,),
        "schedule": crontab(hour=2, minute=40),
    },
}
