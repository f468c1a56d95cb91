"""Mutual aid URLs: what a resident follows (included by mutual_aid/conversations/urls.py)."""

from django.urls import path

from mutual_aid.following import views

urlpatterns = [
    path("suivis/", views.following, name="following"),
]
