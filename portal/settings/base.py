"""Settings shared by every environment; each value can come from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from .storage import default_storage as default_storage_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
# The demo publishes accounts with a known password: loaded only where asked for (LOAD_DEMO=1).
LOAD_DEMO = env.bool("LOAD_DEMO", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Every link in an email is built from this address, inside a request or not (never from the request's Host).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "ILRS Partner Portal"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "csp",
    "django_ratelimit",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "portal.accounts",
    "portal.audit",
    "portal.notifications",
    "portal.dashboard",
    "partners",
    "proposals",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "portal.security",
]

MIDDLEWARE = [
    "portal.middleware.CleanInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.security.middleware.OTPMiddleware",
    "portal.security.middleware.SecondFactorMiddleware",
    "portal.middleware.RequestContextMiddleware",
    "portal.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.notifications.context_processors.unread_notifications",
                "portal.security.context_processors.second_factor",
            ],
            "libraries": {"portal": "portal.templatetags.portal"},
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"
# Links that let a new partner admin set a password stay valid for a week.
PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600

# Repeated failed sign-ins lock the account and address for a while.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "portal.accounts.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
# Every failed sign-in is kept (who was tried, from where, with which client), beyond the counters the lock-out
# forgets on success; successful ones are in axes' access log.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "portal.accounts.auth.lockout_response"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django's formats for each language, with the portal's few differences (portal/formats/).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploaded and generated files: MEDIA_ROOT on this machine unless STORAGE_URL (or AWS_STORAGE_BUCKET_NAME) names an
# S3-compatible object store, which every deployment with more than one machine needs (portal/settings/storage.py).
STORAGES = {
    "default": default_storage_settings(env),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ILRS Partner Portal <noreply@ilrs-portal.example>")
EMAIL_TIMEOUT = 10

# Celery: without a broker the tasks run in-process, right after the transaction commits.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Longer than the longest task, so a message is re-delivered only when its worker died.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request must not hang when the broker is down: the outbox sweeper sends the message later.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BEAT_SCHEDULE = {
    "requeue-undelivered-email": {
        "task": "portal.notifications.tasks.requeue_undelivered",
        "schedule": 60.0,
    },
    "proposal-deadline-reminders": {
        "task": "proposals.tasks.send_deadline_reminders",
        "schedule": 900.0,
    },
    "review-reminders": {
        "task": "proposals.tasks.send_review_reminders",
        "schedule": 900.0,
    },
    "close-calls-past-deadline": {
        "task": "proposals.tasks.close_calls_past_deadline",
        "schedule": 300.0,
    },
    "sweep-export-jobs": {
        "task": "portal.dashboard.tasks.sweep_export_jobs",
        "schedule": 300.0,
    },
    "bid-reminders": {
        "task": "proposals.tasks.send_bid_reminders",
        "schedule": 900.0,
    },
}

# An API token lasts as long as a sign-in; its owner can end it sooner, and a new password ends it.
API_TOKEN_LIFETIME_HOURS = env.int("API_TOKEN_LIFETIME_HOURS", default=12)

REST_FRAMEWORK = {
    # Token first: a request without valid credentials is answered 401 with `WWW-Authenticate: Token`, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.security.authentication.TrackedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.Pagination",
    "PAGE_SIZE": 25,
    # Searching is each filterset's `q`; DRF's SearchFilter would only add a `search` parameter that does nothing.
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "portal.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "registration": env("THROTTLE_REGISTRATION", default="20/hour"),
        "token": env("THROTTLE_TOKEN", default="30/hour"),
    },
}
# The same limits for the pages: applications to join, password-reset emails and sign-in attempts per client address.
RATELIMIT_REGISTRATION = env("RATELIMIT_REGISTRATION", default="20/h")
RATELIMIT_PASSWORD_RESET = env("RATELIMIT_PASSWORD_RESET", default="10/h")
RATELIMIT_LOGIN = env("RATELIMIT_LOGIN", default="100/h")
RATELIMIT_VIEW = "portal.views.too_many_requests"
# Without REDIS_URL the cache, and so each limit's count, is per process: right for the single development
# server only; every deployment sets REDIS_URL (docker-compose.yml does).
SILENCED_SYSTEM_CHECKS = [] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]
SPECTACULAR_SETTINGS = {
    "TITLE": "ILRS Partner Portal API",
    "DESCRIPTION": (
        "Partner organisations, registrations and invitations of the International Lunar Research "
        "Station programme. Authenticate with a session or with `Authorization: Token <key>` "
        "obtained from `POST /api/v1/auth/token/`. Messages are in the signed-in person's saved language "
        "(English, `zh-hans` or `ru`), otherwise in the one `Accept-Language` asks for; data (times in ISO 8601, "
        "numbers) is written the same way in every language."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "partners.choices.OrganisationKind",
        "AreaEnum": "partners.choices.Area",
        "CooperationLevelEnum": "partners.choices.CooperationLevel",
        "OrganisationStatusEnum": "partners.models.Organisation.Status",
        "RegistrationStatusEnum": "partners.models.Registration.Status",
        "InvitationStatusEnum": "partners.models.Invitation.Status",
        "PlatformKindEnum": "proposals.models.PlatformKind",
        "AttachmentKindEnum": "proposals.models.Attachment.Kind",
        "CallStatusEnum": "proposals.models.Call.Status",
        "ProposalStatusEnum": "proposals.models.Proposal.Status",
        "AssignmentStatusEnum": "proposals.models.ReviewAssignment.Status",
        "ReviewStatusEnum": "proposals.models.Review.Status",
        "TechnicalAssessmentEnum": "proposals.models.Review.Technical",
        "DecisionOutcomeEnum": "proposals.models.Decision.Outcome",
    },
}

SESSION_COOKIE_HTTPONLY = True
# Django's database sessions: a session whose row is deleted (signed out anywhere) ends at once.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A sign-in lasts 12 hours however actively it is used, then the person signs in again.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# Every page's scripts, styles and images come from the portal itself: no inline code, no third party.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# The load benchmark's yardstick: a bare view at /bench/hello, routed only when this is on (bench/load_bench.py).
BENCH_HELLO = env.bool("BENCH_HELLO", default=False)

PROPOSAL_ATTACHMENT_MAX_BYTES = env.int("PROPOSAL_ATTACHMENT_MAX_BYTES", default=10_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12_000_000

# How many proxies in front of the portal append the address they were reached from to X-Forwarded-For: 0 when
# clients connect directly, 1 behind one reverse proxy. The client's address (sign-in lock-outs, rate limits,
# throttles, logs) is read through exactly that many, and nothing a client writes itself counts (portal/client.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "portal.client.client_address"
RATELIMIT_IP_META_KEY = "portal.client.client_address"
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
# DRF's three parsers, the JSON one refusing with a 400 a body nested too deeply or too large (portal/parsers.py).
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "portal.parsers.JSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]

# Second factor (django-otp: TOTP, recovery codes; django-otp-webauthn: passkeys). Programme administrators and
# reviewers must enrol within MFA_GRACE_DAYS of their first sign-in under the rule; after that they reach only
# the enrolment pages. Passkeys are a second factor here, never a sign-in without the password.
MFA_GRACE_DAYS = env.int("MFA_GRACE_DAYS", default=7)
OTP_TOTP_ISSUER = "ILRS Partner Portal"
OTP_WEBAUTHN_RP_NAME = "ILRS Partner Portal"
OTP_WEBAUTHN_HELPER_CLASS = "portal.security.webauthn.PortalWebAuthnHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# The relying party and its origin are the host each request reached (portal/security/webauthn.py), which
# ALLOWED_HOSTS already limits, so the fixed settings these checks look for are not used.
SILENCED_SYSTEM_CHECKS += ["otp_webauthn.E010", "otp_webauthn.E030"]

# Filters offer "All" (in the reader's language) rather than Django's "---------" for no choice.
from django.utils.translation import gettext_lazy as _all  # noqa: E402

FILTERS_EMPTY_CHOICE_LABEL = _all("All")

# Every form field is drawn with a label that marks what must be filled in.
FORM_RENDERER = "portal.form_rendering.PortalFormRenderer"
