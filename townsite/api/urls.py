"""The API's own pages on a town's site: its documentation and its OpenAPI schema."""

from django.urls import path

from townsite.api import docs, schema

app_name = "api"
urlpatterns = [
    path("", docs.documentation, name="documentation"),
    path("schema/", schema.SchemaView.as_view(), name="schema"),
]
