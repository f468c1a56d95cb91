"""The welcome link a new town's signer follows from the sign-up."""

from django.urls import path

from townsite import welcome

urlpatterns = [
    path("bienvenue/<str:token>/", welcome.welcome, name="welcome"),
]
