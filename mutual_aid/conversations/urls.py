"""Mutual aid URLs: conversations (included by mutual_aid/urls.py)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
