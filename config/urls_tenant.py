"""URLs of a town's site (<slug>.<root domain>)."""

from django.urls import include, path

from townsite import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("administration/abonnement/", include("billing.urls")),
    path("", include("townsite.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
