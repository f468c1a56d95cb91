"""Participation's API URLs (included by config/urls_tenant.py under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from participation.api import comments, consultations, ideas, results

app_name = "participation_api"

router = SimpleRouter(trailing_slash=True)
router.register("consultations", consultations.ConsultationViewSet, basename="consultation")
router.register("idea-categories", ideas.IdeaCategoryViewSet, basename="idea-category")
router.register("ideas", ideas.IdeaViewSet, basename="idea")
router.register("idea-comments", comments.IdeaCommentViewSet, basename="idea-comment")

urlpatterns = [
    *router.urls,
    path(
        "consultations/<str:key>/results/",
        results.ConsultationResultsView.as_view(),
        name="results",
    ),
]
