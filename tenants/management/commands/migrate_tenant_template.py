"""Create or migrate the template schema new towns are cloned from."""

from typing import Any

from django.core.management.base import BaseCommand

from tenants.template_schema import ensure_template_schema, template_schema_name


class Command(BaseCommand):
    help = "Create or migrate the template schema that new collectivités are cloned from."

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_template_schema(verbosity=max(0, options["verbosity"] - 1))
        self.stdout.write(f"Template schema {template_schema_name()} is up to date.")
