"""The staff dashboard of mutual aid (included by config/urls_tenant.py under
/administration/entraide/)."""

from django.urls import path

from mutual_aid.dashboard import views

app_name = "mutual_aid_dashboard"
urlpatterns = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("tableau-de-bord/<slug:figure>.csv", views.figure_csv, name="csv"),
]
