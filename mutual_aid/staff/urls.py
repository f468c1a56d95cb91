"""The town's mutual aid pages (config/urls_tenant.py includes them: /administration/entraide/)."""

from django.urls import path

from mutual_aid.staff import views

app_name = "mutual_aid_staff"
urlpatterns = [
    path("", views.aid_settings, name="settings"),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("categories/<int:pk>/supprimer/", views.category_remove, name="category_remove"),
    path("numeros-d-aide/", views.help_lines, name="help_lines"),
    path("numeros-d-aide/<int:pk>/", views.help_line_edit, name="help_line_edit"),
]
