"""URLs of the town-side set-up, people and welcome pages (included by config/urls_tenant.py)."""

from django.urls import include, path

app_name = "townsite"
urlpatterns = [
    path("", include("townsite.setup.urls")),
    path("", include("townsite.residents.urls")),
    path("", include("townsite.welcome_urls")),
    path("", include("townsite.moderation.urls")),
]
