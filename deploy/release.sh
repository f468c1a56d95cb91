#!/bin/sh
# Release step: run once per deploy, before the new web/worker/beat processes start serving.
# Idempotent: safe to re-run. Needs the same environment as the web process.
set -eu

# The shared apps into the public schema first, then every tenant schema (tenants/
# migration_executor.py: towns with nothing pending are skipped, found in one query per batch).
python manage.py migrate_schemas --shared --noinput
python manage.py migrate_schemas --tenant --noinput --executor placette
python manage.py migrate_tenant_template
# Reference data (idempotent).
python manage.py load_reference_data
