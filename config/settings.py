"""Placette settings: one module, read from the environment, failing fast in production.

DJANGO_ENV is `development` (default), `test` or `production`. Outside production, a missing
DATABASE_URL / REDIS_URL means the embedded servers of `config.devservices`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import beat, devservices, security_headers
from config.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = env_str("DJANGO_ENV", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV={ENVIRONMENT!r}: use development, test or production.")
PRODUCTION = ENVIRONMENT == "production"
TESTING = ENVIRONMENT == "test"

DEBUG = env_bool("DEBUG", default=ENVIRONMENT == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

SECRET_KEY = env_secret("SECRET_KEY", None if PRODUCTION else "dev-only-not-secret-" + "x" * 40)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only")):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")

# The public site lives on ROOT_DOMAIN; each collectivité on <slug>.ROOT_DOMAIN.
ROOT_DOMAIN = env_str("ROOT_DOMAIN", None if PRODUCTION else "localhost").lower()
_DNS_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
if not re.fullmatch(rf"{_DNS_LABEL}(\.{_DNS_LABEL})*", ROOT_DOMAIN):
    raise ImproperlyConfigured(
        f"ROOT_DOMAIN={ROOT_DOMAIN!r}: give a bare domain name (no scheme, port or path)."
    )
ALLOWED_HOSTS = [ROOT_DOMAIN, f".{ROOT_DOMAIN}", *env_list("EXTRA_ALLOWED_HOSTS", [])]
# The scheme and port the public sees, for links in emails and printed sheets.
SITE_SCHEME = env_str("SITE_SCHEME", "https" if PRODUCTION else "http")
SITE_PORT = env_int("SITE_PORT", 0 if PRODUCTION else env_int("PORT", 8000))
# How many proxies we run in front of the app (Caddy: 1). The client address is then read from
# X-Forwarded-For by tenants.network.client_ip; 0 ignores the header (it is the client's to forge).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

# --- Databases and Redis -------------------------------------------------------------------
DATABASE_URL = env_secret("DATABASE_URL", None if PRODUCTION else devservices.database_url())
# The database is reached through PgBouncer in transaction mode (deploy/env.example).
_TRANSACTION_POOLING = env_bool("PGBOUNCER_TRANSACTION_POOLING", False)
DATABASES = {
    "default": {
        # Persistent connections in production only. Outside it, each connection closes after
        # its request: runserver starts a thread per request, and each kept connection would
        # outlive its thread (50 concurrent requests exhausted PostgreSQL's 100); the threads of
        # the browser tests' server must not keep the test database busy when it is dropped.
        **dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=0 if TESTING else env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        ),
        # django-tenants' backend, with the search path in each statement when pooled.
        "ENGINE": "tenants.postgresql_backend",
        "SEARCH_PATH_PER_STATEMENT": _TRANSACTION_POOLING,
        # Server-side cursors (iterator()) outlive the transaction a pooled server is lent for.
        "DISABLE_SERVER_SIDE_CURSORS": _TRANSACTION_POOLING,
        "CONN_HEALTH_CHECKS": True,
        # One test database per run, so two runs on one machine never drop each other's.
        "TEST": {"NAME": f"test_placette_{os.getpid()}"} if TESTING else {},
    }
}
# Who holds each connection, as pg_stat_activity shows it (make run names each of its programs).
_DB_OPTIONS: dict[str, object] = dict(DATABASES["default"].get("OPTIONS") or {})  # type: ignore[call-overload]
_DB_OPTIONS.setdefault("application_name", env_str("DB_APPLICATION_NAME", "placette"))
DATABASES["default"]["OPTIONS"] = _DB_OPTIONS
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

# Tests use database 1, and each pytest-xdist worker (gw0, gw1, ...) the next ones: a worker's
# cache.clear() or Celery queue never reaches another's.
_TEST_WORKER = int(env_str("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
if _TEST_WORKER > 14:
    raise ImproperlyConfigured("Redis has 16 databases: run at most 15 test workers.")
REDIS_DB = 1 + _TEST_WORKER if TESTING else 0
EMBEDDED_REDIS = not PRODUCTION and not env_str("REDIS_URL", "")
REDIS_URL = devservices.redis_url(REDIS_DB) if EMBEDDED_REDIS else env_secret("REDIS_URL")
if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must not be empty.")

_CACHE = {
    "LOCATION": REDIS_URL,
    # Every key carries the schema of the connection: town A never reads town B's entries.
    "KEY_FUNCTION": "django_tenants.cache.make_key",
    "KEY_PREFIX": "test" if TESTING else "placette",
}
# A Redis that does not answer must not hang requests: give up fast.
_REDIS_TIMEOUTS = {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}
# What a failing Redis means for each reader: tenants.cache.
CACHES = {
    "default": {
        **_CACHE,
        "BACKEND": "tenants.cache.FailSoftRedisCache",
        "OPTIONS": {**_REDIS_TIMEOUTS, "IGNORE_EXCEPTIONS": True},
    },
    # tenants.cache.STRICT: raises, for readers that decide what a failure means.
    "strict": {**_CACHE, "BACKEND": "django_redis.cache.RedisCache", "OPTIONS": _REDIS_TIMEOUTS},
}
# Each failure the default cache passes over is logged, so that an outage is seen.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "placette.cache"

# --- Tenancy ------------------------------------------------------------------------------
TENANT_MODEL = "tenants.Collectivite"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
TENANT_LIMIT_SET_CALLS = False
# New towns are cloned from this migrated template schema (tenants.template_schema).
TENANT_BASE_SCHEMA = "tenant_template"
# What a new town starts with, named here because tenants/ imports no app above it: the first
# runs in the template schema (cloned into every new town), the second in each new town's schema,
# given its Collectivite, inside the transaction that creates it.
TENANT_TEMPLATE_DEFAULTS = "townsite.provisioning.seed_template"
TENANT_NEW_TOWN_SETUP = "townsite.provisioning.set_up_new_town"
TENANT_CREATION_FAKES_MIGRATIONS = True
# How long a web process trusts its in-memory host -> tenant map before re-reading the shared
# generation number in Redis (changes bump it, so they show everywhere within this delay).
TENANT_CACHE_CHECK_SECONDS = float(env_str("TENANT_CACHE_CHECK_SECONDS", "1.0"))
# How long the mutual aid list's rendered results are shared by the town's members (0: never;
# mutual_aid.list_cache). Tests render every page, except the test of the cache itself.
MUTUAL_AID_LIST_CACHE_SECONDS = 0 if TESTING else env_int("MUTUAL_AID_LIST_CACHE_SECONDS", 30)
# The same for the idea list (participation.ideas.list_cache).
IDEAS_LIST_CACHE_SECONDS = 0 if TESTING else env_int("IDEAS_LIST_CACHE_SECONDS", 30)
# The ops console's tenants list (ops/list_cache.py).
OPS_TENANTS_LIST_CACHE_SECONDS = 0 if TESTING else env_int("OPS_TENANTS_LIST_CACHE_SECONDS", 30)
# How long a person's unread count (every page's header) may be kept between two changes, which
# recount it (notifications.services.unread_count). Tests count each time, except its own.
NOTIFICATIONS_UNREAD_CACHE_SECONDS = 0 if TESTING else 300

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.postgres",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "billing",
    "onboarding",
    "accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # The ops console's admin site, without Django's default site and its autodiscovery; the
    # console first, so its templates (admin/base_site.html) come before the admin's own.
    "ops",
    "django.contrib.admin.apps.SimpleAdminConfig",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "notifications",
    "townsite",
    "mutual_aid",
    "participation",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]
# What `manage.py seed_demo` runs in each demo town's schema once its site is set up: each
# module's own demo data (townsite may not import the modules above it). Each gets the town.
DEMO_SEEDERS = [
    "mutual_aid.demo.seed_town",
    "participation.ideas.demo.seed_town",
    "participation.consultations.demo.seed_town",
]

MIDDLEWARE = [
    # Outermost, so that every answer carries the security headers, in every environment (their
    # policies: config/security_headers): also TenantMiddleware's own pages, static files, errors.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionTenantGuardMiddleware",
    # After the guard: a support session has no town account, it only reads (ops.support_access).
    "ops.support_session.SupportSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "billing.middleware.SiteAccessMiddleware",
    "accounts.middleware.OpsStaffMfaMiddleware",
]

# {{ day|long_date }} in every template, pages and emails, without a {% load %}; and `{% url %}`
# with the links without arguments reversed once per process (tenants.templatetags.urls).
TEMPLATE_BUILTINS = ["tenants.templatetags.dates", "tenants.templatetags.urls"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.tenancy",
                "billing.context_processors.site_banner",
                "townsite.setup.context_processors.town_site",
                "notifications.context_processors.unread_notifications",
            ],
            "builtins": TEMPLATE_BUILTINS,
        },
    },
    {
        # Plain-text emails (accounts.mail.render_text): the same templates, never HTML-escaped.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False, "builtins": TEMPLATE_BUILTINS},
    },
]

WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: a login name from the town hall desk is found in one query (accounts.login_names).
    "accounts.backends.LoginNameBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "townsite.residents.forms.ResidentSignupForm"
ACCOUNT_FORMS = {
    "signup": "accounts.signup.SignupForm",
    "login": "accounts.allauth_forms.LoginForm",
    "reset_password": "accounts.allauth_forms.ResetPasswordForm",
    "add_email": "accounts.allauth_forms.AddEmailForm",
}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Account emails tell the person when their password or email address changes (in case it was
# not them). Their subject starts with the town's name ("[Chavenay] "), "[Placette] " on the
# root domain: accounts.adapter.AccountAdapter.format_email_subject.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = SITE_SCHEME
# Every token allauth signs or hashes is bound to the schema (accounts.tokens): its email
# confirmation salt through this getter, its password reset tokens through this generator.
ALLAUTH_SETTING_GETTER = "accounts.tokens.allauth_setting"
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "accounts.password_reset.ResetTokenGenerator"  # noqa: S105
# allauth's rate limits stay at their defaults (on); they count in the tenant-keyed cache, per
# client address as tenants.network.client_ip reads it (the adapter's get_client_ip).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Placette"
# A code typed in the last seconds of its 30-second window is still taken (one step either side,
# as RFC 6238 §5.2 advises for the time a person takes to type it); allauth's default is none.
MFA_TOTP_TOLERANCE = 1

# --- Sessions and cookies: host-only, so no cookie travels between towns ------------------
SESSION_ENGINE = "accounts.sessions"
# Flash messages live in the session (stored in each town's schema), not in a cookie signed
# with a key every town shares.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_DOMAIN = CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Every form posts to its own site, which Django trusts without a list: no other origin is
# trusted, so a page of one town (or of the public site) cannot post into another town.
CSRF_TRUSTED_ORIGINS: list[str] = []
CSRF_FAILURE_VIEW = "tenants.errors.csrf_failure"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Caddy asks whether a name is ours over plain HTTP on its loopback (deploy/Caddyfile).
    SECURE_REDIRECT_EXEMPT = [r"^tls/ask$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is hard to undo, so it is opted into (SECURE_HSTS_PRELOAD=true), not nagged.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = security_headers.content_security_policy(ROOT_DOMAIN, any_port=not PRODUCTION)
PERMISSIONS_POLICY = security_headers.PERMISSIONS_POLICY

# --- Email: every message leaves through Celery, after the transaction commits ------------
EMAIL_DELIVERY_BACKEND = env_str(
    "EMAIL_DELIVERY_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.locmem.EmailBackend"
    if TESTING
    else "accounts.console_mail.ReadableConsoleEmailBackend",
)
_SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_secret("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
    "timeout": env_int("EMAIL_TIMEOUT", 20),
}
MAILERS = {
    # What the code sends through: queues a Celery task once the transaction commits.
    "default": {"BACKEND": "accounts.mail.CeleryEmailBackend"},
    # What the task delivers with.
    "delivery": {
        "BACKEND": EMAIL_DELIVERY_BACKEND,
        "OPTIONS": {
            "smtp.EmailBackend": _SMTP_OPTIONS,
            # Messages as files (`make prod-check` reads what the worker delivered).
            "filebased.EmailBackend": {
                "file_path": env_str("EMAIL_FILE_PATH", str(BASE_DIR / ".devdata" / "mail"))
            },
        }.get(EMAIL_DELIVERY_BACKEND.rsplit(".", 2)[-2] + ".EmailBackend", {}),
    },
}
# Where our own staff hear about sign-ups that need a person (a town already on Placette...).
OPS_EMAIL = env_str("OPS_EMAIL", f"ops@{ROOT_DOMAIN}")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"Placette <ne-pas-repondre@{ROOT_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env_secret(
    "CELERY_BROKER_URL", devservices.celery_url(REDIS_DB) if EMBEDDED_REDIS else REDIS_URL
)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
# Nothing but the real-worker tests reads a task's result: with results on, sending a task
# subscribes to its result in Redis, and a request waited 20 s then failed while Redis was away.
CELERY_TASK_IGNORE_RESULT = not TESTING
CELERY_TASK_ALWAYS_EAGER = TESTING and not env_bool("CELERY_REAL_WORKER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "placette-test" if TESTING else "placette"
CELERY_TASK_ACKS_LATE = True
# A worker killed mid-task leaves its task unacknowledged: Redis gives it to another worker
# after the visibility timeout, longer than any countdown (backoffs up to 1 h).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 7200)}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# In development the worker prints emails (accounts.console_mail) straight to the terminal,
# not through its logger as WARNING lines.
CELERY_WORKER_REDIRECT_STDOUTS = ENVIRONMENT != "development"
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE = beat.SCHEDULE  # what runs when: config/beat.py

# --- Who runs Placette, for the legal notice and the legal texts (LCEN art. 6, GDPR art. 13) -
_DEV_LEGAL = None if PRODUCTION else "(to be set: LEGAL_* in the environment)"
LEGAL_ENTITY_NAME = env_str("LEGAL_ENTITY_NAME", _DEV_LEGAL)  # e.g. "Placette SAS"
LEGAL_ENTITY_ADDRESS = env_str("LEGAL_ENTITY_ADDRESS", _DEV_LEGAL)
LEGAL_ENTITY_REGISTRATION = env_str("LEGAL_ENTITY_REGISTRATION", _DEV_LEGAL)  # RCS / SIREN
LEGAL_HOST = env_str("LEGAL_HOST", _DEV_LEGAL)  # the hosting provider: name, address, phone
LEGAL_PUBLICATION_DIRECTOR = env_str("LEGAL_PUBLICATION_DIRECTOR", "")
LEGAL_CONTACT_EMAIL = env_str("LEGAL_CONTACT_EMAIL", f"contact@{ROOT_DOMAIN}")
LEGAL_PRIVACY_EMAIL = env_str("LEGAL_PRIVACY_EMAIL", f"dpo@{ROOT_DOMAIN}")

# --- Billing (Stripe is the payment rail; our database holds the plan state) ---------------
BILLING_TRIAL_DAYS = env_int("BILLING_TRIAL_DAYS", 90)
# Outside production, a local fake Stripe (localstripe) stands in unless real test keys are set.
# Derived from PORT, like every port of `make run`, so that two checkouts never share one.
LOCAL_STRIPE_PORT = env_int("LOCAL_STRIPE_PORT", env_int("PORT", 8000) + 420)
_LOCAL_STRIPE = None if PRODUCTION else f"http://127.0.0.1:{LOCAL_STRIPE_PORT}"
STRIPE_SECRET_KEY = env_secret("STRIPE_SECRET_KEY", None if PRODUCTION else "sk_test_placette")
STRIPE_PUBLISHABLE_KEY = env_str(
    "STRIPE_PUBLISHABLE_KEY", None if PRODUCTION else "pk_test_placette"
)
STRIPE_WEBHOOK_SECRET = env_secret(
    "STRIPE_WEBHOOK_SECRET", None if PRODUCTION else "whsec_placette_development"
)
# Empty means the real Stripe API and Stripe.js.
STRIPE_API_BASE = env_str(
    "STRIPE_API_BASE", "" if PRODUCTION or env_str("STRIPE_SECRET_KEY", "") else _LOCAL_STRIPE or ""
)
STRIPE_JS_URL = env_str(
    "STRIPE_JS_URL",
    f"{STRIPE_API_BASE}/js.stripe.com/v3/" if STRIPE_API_BASE else "https://js.stripe.com/v3/",
)

# --- Internationalisation: French first ---------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "platform" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media (media is stored per tenant) ----------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "platform" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".devdata" / "media")))
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# Archives of a town's data (tenants.exports): outside MEDIA_ROOT, never served as files, reached
# only through a signed link valid DATA_EXPORT_HOURS hours; then a periodic task removes them.
DATA_EXPORTS_ROOT = Path(env_str("DATA_EXPORTS_ROOT", str(BASE_DIR / ".devdata" / "exports")))
DATA_EXPORT_HOURS = 24
# Uploads: form fields other than files stay small; a file over 2.5 MB streams to a temporary
# file (never held in memory), and a form takes at most a few files (a post has 4 photos). The
# reverse proxy refuses a whole request over 50 MB (deploy/Caddyfile); each form caps its files.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Outside production static files come from the app folders, uncollected.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "tenants.storage.TownFileStorage"},  # a folder per town, no half file
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- The API (/api/v1/ on each town's site; accounts.api holds its machinery) ---------------
REST_FRAMEWORK = {
    # A key first: a caller without credentials is answered 401 with `WWW-Authenticate: Token`.
    # The session is the browser's, with CSRF checked on every write.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiTokenAuthentication",
        "accounts.api.authentication.CsrfCheckedSession",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "accounts.api.pagination.CursorPage",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.api.throttling.ResidentThrottle",
        "accounts.api.throttling.AddressThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "resident": env_str("API_RATE_RESIDENT", "300/min"),
        "anonymous": env_str("API_RATE_ANONYMOUS", "60/min"),
    },
    "EXCEPTION_HANDLER": "accounts.api.exceptions.handle_exception",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The apps' refusals with a message for the person: answered 403 with it (accounts.api.exceptions).
API_REFUSALS = [
    "accounts.api.tokens.TokenError",
    "townsite.moderation.access.ContributionRefused",
    "mutual_aid.access.NotAllowed",
    "participation.consultations.access.NotAllowed",
    "participation.ideas.access.NotAllowed",
]
SPECTACULAR_SETTINGS = {
    "TITLE": "Placette API",
    "DESCRIPTION": _(
        "The town's site, for programs: mutual aid (posts, categories, your conversations), "
        "consultations, the idea box, and reports. Log in on the site, or send a key made on "
        "your account page in the header `Authorization: Token <key>`. A key works on its own "
        "town's site only."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Names for the choice sets that several modules' fields share a name for ("kind", "status").
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "mutual_aid.models.Post.Kind",
        "IdeaStatusEnum": "participation.ideas.models.Idea.Status",
        "QuestionKindEnum": "participation.consultations.models.ConsultationQuestion.Kind",
        "AudienceEnum": "participation.consultations.models.Consultation.Audience",
    },
}

# `make run`'s terminal: requests only when they fail (4xx, 5xx), no reloader chatter, and
# each of Django's messages once (its own DEBUG console handler repeated what the root prints).
_DEVELOPMENT_LOGGERS: dict[str, dict[str, object]] = (
    {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"level": "WARNING"},
        "django.utils.autoreload": {"level": "WARNING"},
    }
    if ENVIRONMENT == "development"
    else {}
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # A logger with no handler at all falls back to logging's "last resort" on stderr.
        "discard": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "pgserver": {"level": "WARNING"},
        # Foreign Host headers are answered 400 and need no traceback (nor a Sentry event).
        "django.security.DisallowedHost": {"handlers": ["discard"], "propagate": False},
        **_DEVELOPMENT_LOGGERS,
    },
}

# --- Error reporting ----------------------------------------------------------------------
SENTRY_DSN = env_secret("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=ENVIRONMENT,
        send_default_pii=False,
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
