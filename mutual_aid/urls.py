"""Mutual aid URLs on a town's site (included by config/urls_tenant.py under /entraide/)."""

from django.urls import include, path

from mutual_aid import views

app_name = "mutual_aid"
urlpatterns = [
    path("", views.post_list, name="list"),
    path("<int:pk>/", views.post_detail, name="detail"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("", include("mutual_aid.posting.urls")),
    path("", include("mutual_aid.conversations.urls")),
    path("", include("mutual_aid.exchanges.urls")),
]
