"""The town's idea box pages (included by config/urls_tenant.py under /administration/idees/)."""

from django.urls import path

from participation.ideas import staff_views
from participation.ideas.dashboard import views as dashboard

app_name = "ideas_staff"
urlpatterns = [
    path("", staff_views.waiting, name="waiting"),
    path("tableau-de-bord/", dashboard.dashboard, name="dashboard"),
    path("tableau-de-bord/<slug:figure>.csv", dashboard.figure_csv, name="dashboard_csv"),
    path("<int:pk>/repondre/", staff_views.answer, name="answer"),
    path("<int:pk>/fusionner/", staff_views.merge, name="merge"),
    path("categories/", staff_views.categories, name="categories"),
    path("categories/<int:pk>/", staff_views.category_edit, name="category_edit"),
]
