"""URLs of a town's site (<slug>.<root domain>)."""

from django.urls import include, path

from tenants import errors
from townsite import legal, views

urlpatterns = [
    path("", views.home, name="home"),
    path("mentions-legales/", legal.legal_notice, name="legal_notice"),
    path("confidentialite/", legal.privacy, name="privacy"),
    path("accounts/", include("allauth.urls")),
    path("administration/abonnement/", include("billing.urls")),
    path("entraide/", include("mutual_aid.urls")),
    path("administration/entraide/", include("mutual_aid.staff.urls")),
    path("administration/entraide/", include("mutual_aid.dashboard.urls")),
    path("idees/", include("participation.ideas.urls")),
    path("administration/idees/", include("participation.ideas.staff_urls")),
    path("consultations/", include("participation.consultations.urls")),
    path("administration/consultations/", include("participation.consultations.staff_urls")),
    # The API: its documentation (/api/) and schema, then each module's endpoints under /api/v1/.
    path("api/", include("townsite.api.urls")),
    path("api/v1/", include("mutual_aid.api.urls")),
    path("api/v1/", include("participation.api.urls")),
    path("api/v1/", include("townsite.api.v1_urls")),
    path("", include("townsite.urls")),
    path("", include("notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

# The same French error pages on every site (tenants.errors picks the look from the request).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
