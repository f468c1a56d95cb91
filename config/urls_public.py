"""URLs of the root domain: the public site, ops staff sign-in and console, the health check."""

from django.urls import include, path

from billing import webhooks
from onboarding import legal_views, tls
from onboarding import views as onboarding_views
from ops.site import ops_site
from tenants import errors, views

urlpatterns = [
    path("", onboarding_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("tls/ask", tls.tls_ask, name="tls_ask"),
    path("billing/stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("essai/", include("onboarding.urls")),
    path("mentions-legales/", legal_views.legal_notice, name="legal_notice"),
    path("confidentialite/", legal_views.privacy, name="privacy"),
    path("documents/<slug:slug>/", legal_views.document, name="legal_document"),
    path(
        "documents/<slug:slug>/version-<str:version>/",
        legal_views.document,
        name="legal_document_version",
    ),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ops/", ops_site.urls),
]

# The same French error pages on every site (tenants.errors picks the look from the request).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
