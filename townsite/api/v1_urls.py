"""The town site's own API endpoints (included by config/urls_tenant.py under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from townsite.api import reports

app_name = "townsite_api"

router = SimpleRouter(trailing_slash=True)
router.register("reports", reports.ReportViewSet, basename="report")

urlpatterns = router.urls
