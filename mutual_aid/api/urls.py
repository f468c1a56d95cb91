"""Mutual aid's API URLs (included by config/urls_tenant.py under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from mutual_aid.api import conversations, views

app_name = "mutual_aid_api"

router = SimpleRouter(trailing_slash=True)
router.register("categories", views.CategoryViewSet, basename="category")
router.register("posts", views.PostViewSet, basename="post")
router.register("conversations", conversations.ConversationViewSet, basename="conversation")

urlpatterns = [
    *router.urls,
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
]
