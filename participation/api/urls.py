"""Participation's API URLs (included by config/urls_tenant.py under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from participation.api import results

app_name = "participation_api"

router = SimpleRouter(trailing_slash=True)

urlpatterns = [
    *router.urls,
    path(
        "consultations/<str:key>/results/",
        results.ConsultationResultsView.as_view(),
        name="results",
    ),
]
