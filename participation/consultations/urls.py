"""Residents' consultation pages (config/urls_tenant.py includes them: /consultations/)."""

from django.urls import path

from participation.consultations import export_views, results_views, views

app_name = "consultations"
urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("<str:key>/", views.detail, name="detail"),
    path("<str:key>/merci/", views.thanks, name="thanks"),
    path("<str:key>/resultats/", results_views.public_results, name="results"),
    path("<str:key>/copie/", views.email_copy, name="email_copy"),
    path("<str:key>/fichiers/<int:pk>/", views.attachment, name="attachment"),
    path(
        "<str:key>/donnees/reponses.<str:extension>",
        export_views.public_download,
        name="open_data_file",
    ),
]
