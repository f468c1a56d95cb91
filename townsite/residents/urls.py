"""Residents join: sign-up profile, assisted sign-up at the desk, data export and deletion."""

from django.urls import path

from townsite.residents import api_keys, views

urlpatterns = [
    path("administration/habitants/", views.residents, name="residents"),
    path("administration/habitants/nouveau/", views.assisted_signup, name="assisted_signup"),
    path(
        "administration/habitants/<int:user_id>/fiche/",
        views.welcome_sheet,
        name="welcome_sheet",
    ),
    path(
        "administration/habitants/<int:user_id>/nouveau-code/",
        views.regenerate_code,
        name="regenerate_code",
    ),
    path("premiere-connexion/", views.code_login, name="code_login"),
    path(
        "premiere-connexion/mot-de-passe/",
        views.code_login_password,
        name="code_login_password",
    ),
    path("mon-compte/", views.my_account, name="my_account"),
    path("mon-compte/donnees/", views.export_my_data, name="export_my_data"),
    path("mon-compte/supprimer/", views.delete_my_account, name="delete_my_account"),
    path("mon-compte/api/", api_keys.api_keys, name="api_keys"),
    path("mon-compte/api/<int:pk>/revoquer/", api_keys.revoke_api_key, name="revoke_api_key"),
]
