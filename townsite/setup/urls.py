"""The admin dashboard, set-up wizard, team page, invitation links, log of actions and logo."""

from django.urls import path

from townsite.setup import journal, team_views, views

SETUP = "administration/configuration/"
TEAM = "administration/equipe/"

urlpatterns = [
    path("administration/", views.dashboard, name="dashboard"),
    path(SETUP, views.setup, name="setup"),
    path(SETUP + "apparence/", views.setup_look, name="setup_look"),
    path(SETUP + "accueil/", views.setup_welcome, name="setup_welcome"),
    path(SETUP + "quartiers/", views.setup_neighbourhoods, name="setup_neighbourhoods"),
    path(SETUP + "quartiers/communes/", views.setup_add_communes, name="setup_add_communes"),
    path(
        SETUP + "quartiers/<int:pk>/renommer/",
        views.setup_rename_neighbourhood,
        name="setup_rename_neighbourhood",
    ),
    path(
        SETUP + "quartiers/<int:pk>/supprimer/",
        views.setup_remove_neighbourhood,
        name="setup_remove_neighbourhood",
    ),
    path(SETUP + "modules/", views.setup_modules, name="setup_modules"),
    path(SETUP + "contact/", views.setup_contact, name="setup_contact"),
    path(SETUP + "charte/", views.setup_charter, name="setup_charter"),
    path(SETUP + "recapitulatif/", views.setup_summary, name="setup_summary"),
    path(TEAM, team_views.team_page, name="team"),
    path(
        TEAM + "invitations/<int:pk>/annuler/",
        team_views.revoke_invitation,
        name="revoke_invitation",
    ),
    path(TEAM + "<int:pk>/role/", team_views.change_role, name="change_role"),
    path("administration/journal/", journal.journal, name="journal"),
    path("invitation/<str:token>/", team_views.accept_invitation, name="accept_invitation"),
    path("logo/", views.logo, name="logo"),
]
