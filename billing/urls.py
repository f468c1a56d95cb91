"""Billing pages of a town's site (admins only)."""

from django.urls import path

from billing import views

app_name = "billing"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("souscrire/", views.subscribe, name="subscribe"),
    path("confirmer/", views.confirm, name="confirm"),
    path("facture/", views.subscribe_by_invoice, name="subscribe_by_invoice"),
    path("resilier/", views.cancel, name="cancel"),
    path("reprendre/", views.resume, name="resume"),
    path("periode/", views.change_period, name="change_period"),
]
