"""Participation's API URLs (included by config/urls_tenant.py under /api/v1/)."""

from rest_framework.routers import SimpleRouter

app_name = "participation_api"

router = SimpleRouter(trailing_slash=True)

urlpatterns = [
    *router.urls,
]
