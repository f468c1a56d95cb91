"""The public trial sign-up (root domain)."""

from django.urls import path

from onboarding import views

app_name = "onboarding"
urlpatterns = [
    path("", views.start, name="start"),
    path("envoye/", views.sent, name="sent"),
    path("demande-enregistree/", views.claim_recorded, name="claim_recorded"),
    path("confirmer/<str:token>/", views.confirm, name="confirm"),
    path("<str:kind>/<str:code>/", views.choose, name="choose"),
    path("<str:kind>/<str:code>/contact/", views.contact_town, name="contact_town"),
    path("<str:kind>/<str:code>/revendiquer/", views.claim, name="claim"),
]
