"""Amounts in euros, written the French way: 1 234,50 €."""

from django import template

register = template.Library()


@register.filter
def euros(cents: int | None) -> str:
    cents = cents or 0
    whole, rest = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", "\u202f")
    return f"{'-' if cents < 0 else ''}{grouped},{rest:02d}\u00a0€"
