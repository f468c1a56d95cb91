"""The admin dashboard, set-up wizard, team page, invitation links, log of actions and logo."""

from django.urls import path

from townsite.setup import export_views, journal, support_views, team_views, views

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
    path("administration/export/", export_views.export_page, name="data_export"),
    path(
        "administration/export/<int:pk>/",
        export_views.export_download,
        name="data_export_download",
    ),
    path("administration/support/", support_views.support, name="support"),
    path(
        "administration/support/<int:pk>/retirer/",
        support_views.revoke_support,
        name="revoke_support",
    ),
    path("support/entrer/", support_views.support_entry, name="support_entry"),
    path("support/sortir/", support_views.support_exit, name="support_exit"),
    path("invitation/<str:token>/", team_views.accept_invitation, name="accept_invitation"),
    path("logo/", views.logo, name="logo"),
]
