"""The town's idea box pages (included by config/urls_tenant.py under /administration/idees/)."""

from django.urls import path

from participation.ideas import staff_views

app_name = "ideas_staff"
urlpatterns = [
    path("", staff_views.waiting, name="waiting"),
    path("<int:pk>/repondre/", staff_views.answer, name="answer"),
    path("<int:pk>/fusionner/", staff_views.merge, name="merge"),
    path("categories/", staff_views.categories, name="categories"),
    path("categories/<int:pk>/", staff_views.category_edit, name="category_edit"),
]
