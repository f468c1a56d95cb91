"""The welcome link a new town's signer follows from the sign-up, and the password step."""

from django.urls import path

from townsite import welcome

urlpatterns = [
    path("bienvenue/mot-de-passe/", welcome.choose_password, name="welcome_password"),
    path("bienvenue/<str:token>/", welcome.welcome, name="welcome"),
]
