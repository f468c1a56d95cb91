"""The billing app, and what it adds to the health check."""

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Facturation"

    def health_report(self) -> dict[str, object]:
        """Shown by /healthz for the operators; it never makes the check fail by itself."""
        from billing.services import stuck_event_count

        return {"stripe_events_stuck": stuck_event_count()}
