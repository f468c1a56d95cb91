"""The API's own pages on a town's site: its documentation and its OpenAPI schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from townsite.api import docs

app_name = "api"
urlpatterns = [
    path("", docs.documentation, name="documentation"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
