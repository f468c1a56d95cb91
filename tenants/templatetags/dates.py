"""`long_date`: every date shown to people goes through this filter (a template builtin)."""

from django import template

from tenants.dates import long_date

register = template.Library()
register.filter("long_date", long_date)
