"""Settings shared by every environment; every knob comes from the environment or `.env`."""

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from corsheaders.defaults import default_headers as cors_default_headers

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def checkout_secret_key(path: Path) -> str:
    """A random key made once per checkout and kept in `path` (mode 0600), for development and
    tests when SECRET_KEY is not set: a key written in the source would let anyone who reads it
    forge tokens. "" where the file cannot be made (a read-only production image: `prod.py`
    then refuses to start)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    except OSError:
        return ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(50))
        draft.chmod(0o600)
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(draft, path)
        draft.unlink()
        return path.read_text().strip()
    except OSError:
        return ""


SECRET_KEY = env("SECRET_KEY", default="") or checkout_secret_key(BASE_DIR / ".data" / "secret_key")
DEBUG = env.bool("DEBUG", default=False)
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}"])

# --- Tenancy (django-tenants): one PostgreSQL schema per company -------------------------------
SHARED_APPS = [
    "django_tenants",
    "shared_apps.core",
    "shared_apps.companies",
    "shared_apps.accounts",
    "shared_apps.dictionaries",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "shared_apps.core.apps.PlatformAdminConfig",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "corsheaders",
]
# contenttypes stays public only: admin log entries (public) point at public content types.
TENANT_APPS = [
    "tenant_apps.jobs",
    "tenant_apps.fleet",
    "tenant_apps.reports",
    "tenant_apps.ai",
    "tenant_apps.imports",
    "tenant_apps.notifications",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "companies.Company"
TENANT_DOMAIN_MODEL = "companies.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Send `SET search_path` once per connection and schema switch instead of before every query
# (half the round trips). Safe since django-tenants 4.0.1 forgets it on rollback and close.
TENANT_LIMIT_SET_CALLS = True
# New companies are cloned from this migrated template schema, kept current automatically
# (shared_apps/companies/provisioning.py). "template" is a reserved slug.
TENANT_BASE_SCHEMA = "template"
TENANT_CREATION_FAKES_MIGRATIONS = env.bool("TENANT_CREATION_FAKES_MIGRATIONS", default=True)
# Clones of the template kept ready for new companies (shared_apps/companies/provisioning.py).
TENANT_SPARE_SCHEMAS = env.int("TENANT_SPARE_SCHEMAS", default=2)

MIDDLEWARE = [
    # Before anything can answer: every response carries its request id and the security
    # headers, also the health check's and the unknown host's.
    "shared_apps.core.middleware.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Health next: load balancers probe by IP or any host, before a tenant is resolved.
    "shared_apps.core.middleware.HealthCheckMiddleware",
    "shared_apps.companies.middleware.CompanyMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # admin and Swagger UI assets in production
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "shared_apps.companies.middleware.CompanyLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last: it sees the rendered response first (it breaks DRF's reference cycles).
    "shared_apps.core.middleware.RenderedResponseMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Database and cache --------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/fleet")}
DATABASES["default"]["ENGINE"] = "shared_apps.companies.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "shared_apps.core.cache.RedisCache",
        "LOCATION": REDIS_URL,
        # Keys carry the schema, so one company's cached value is never served to another
        # (django-tenants' key function; the public schema's rows that every request reads are
        # cached under `public`: shared_apps/core/rowcache.py).
        "KEY_FUNCTION": "shared_apps.core.rowcache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
}

# A host's company and a token's user are cached in Redis for this many seconds (0: not
# cached), so that a request does not query them; every save, delete and queryset update of
# them through the ORM forgets the entry at once (README "Tenancy", "Authentication").
TENANT_HOST_CACHE_SECONDS = env.int("TENANT_HOST_CACHE_SECONDS", default=60)
AUTH_USER_CACHE_SECONDS = env.int("AUTH_USER_CACHE_SECONDS", default=60)

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Argon2 (memory-hard; what Django's docs recommend) for new and changed passwords: 0.2 s a hash
# here against 0.5 s for PBKDF2's 1,000,000 rounds, which stays to check older hashes (Django
# re-hashes them with Argon2 at the next login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
}
# A refresh token presented again within this many seconds of its rotation gets the same new
# pair (tabs refreshing at once stay logged in); later reuse is refused.
JWT_REFRESH_GRACE_SECONDS = env.int("JWT_REFRESH_GRACE_SECONDS", default=30)

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English"), ("ky", "Кыргызча")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bishkek"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))
# Each company's files live in MEDIA_ROOT/<schema>/...; the folder is computed per access.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- HTTP -----------------------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
# e.g. `^https://[a-z0-9-]+\.fleet\.example$` for a frontend served on every company's host.
CORS_ALLOWED_ORIGIN_REGEXES = env.list("CORS_ALLOWED_ORIGIN_REGEXES", default=[])
# What the React client reads (download names, when to retry, the id to quote in a bug report)
# and sends (its own request id, Sentry's tracing headers).
CORS_EXPOSE_HEADERS = ["Content-Disposition", "Retry-After", "X-Request-ID"]
CORS_ALLOW_HEADERS = (*cors_default_headers, "x-request-id", "sentry-trace", "baggage")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Probes speak plain HTTP to the container, also where everything else is redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A multipart request (an upload) larger than this is refused before it is read: a 20 MB import
# sheet and its form's few hundred bytes fit.
MAX_UPLOAD_REQUEST_BYTES = env.int("MAX_UPLOAD_REQUEST_BYTES", default=21 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- REST framework -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shared_apps.accounts.authentication.CompanyJWTAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["shared_apps.core.permissions.RolePermission"],
    "DEFAULT_RENDERER_CLASSES": ["shared_apps.core.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "shared_apps.core.negotiation.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "shared_apps.core.parsers.DepthSafeJSONParser",
        "shared_apps.core.parsers.LimitedMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "shared_apps.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "shared_apps.core.filters.FilterBackend",
        "shared_apps.core.filters.SearchFilter",
        "shared_apps.core.filters.StableOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "shared_apps.core.openapi.AutoSchema",  # drf-standardized-errors'
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login_ip": env("LOGIN_THROTTLE_IP", default="30/min"),
        "login_username": env("LOGIN_THROTTLE_USERNAME", default="10/min"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "shared_apps.core.exception_handler.FleetExceptionHandler",
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    # Documented on every endpoint where they can happen (413: where there is a request body);
    # the rarer ones (409 for a car with history, 503 for a service that is down, ...) are
    # declared on their endpoints with `shared_apps.core.openapi.error_response`.
    "ALLOWED_ERROR_STATUS_CODES": [
        "400",
        "401",
        "403",
        "404",
        "405",
        "406",
        "413",
        "415",
        "429",
        "500",
    ],
    # 401: the codes simplejwt answers a missing or refused Bearer token with.
    "ERROR_SCHEMAS": {
        "401": "shared_apps.core.openapi.ErrorResponse401Serializer",
        "413": "shared_apps.core.openapi.ErrorResponse413Serializer",
    },
}

# Who may open /api/schema/ and /api/docs/: everyone (dev) or logged-in users (prod default).
DOCS_PUBLIC = env.bool("DOCS_PUBLIC", default=False)

SPECTACULAR_SETTINGS = {
    "TITLE": "Fleet SaaS API",
    "DESCRIPTION": (
        "Company vehicle fleet API. Each company is served on its own host "
        "`<slug>.<BASE_DOMAIN>`; log in at `/api/v1/auth/login/` and send "
        "`Authorization: Bearer <access>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_URLCONF": "config.urls_tenant",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operations are grouped (tagged) and named (`cars_list`) by the path after this prefix.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The groups, in this order, each with what it holds.
    "TAGS": [
        {"name": "auth", "description": "Log in, refresh and log out; the user's own profile."},
        {"name": "company", "description": "This company's settings and requisites."},
        {"name": "users", "description": "The company's users, managed by its admins."},
        {"name": "dictionaries", "description": "The codes of every choice list, with names."},
        {"name": "cars", "description": "The company's cars and their photos."},
        {"name": "fuel-records", "description": "Fuel of each car: one record per month."},
        {"name": "monthly-mileages", "description": "Kilometres of each car and month."},
        {"name": "spares", "description": "Repairs: parts and work."},
        {"name": "tires", "description": "Tyre sets: at most one mounted per car."},
        {"name": "accumulators", "description": "Batteries."},
        {"name": "insurances", "description": "CASCO and OSAGO policies, with their status."},
        {"name": "inspections", "description": "Roadworthiness inspections, with their status."},
        {"name": "recorders", "description": "Dashcams: at most one per car."},
        {"name": "kits", "description": "Safety kits: at most one per car."},
        {
            "name": "maintenance-plans",
            "description": "Services a car needs again and again, by km or by months; they fall "
            "due in the compliance rows and the reminders.",
        },
        {
            "name": "notifications",
            "description": "The user's own notices (reminder digests): the bell.",
        },
        {
            "name": "reports",
            "description": "Reports as JSON or as CSV/XLSX files, and exports built in the "
            "background (each user sees their own).",
        },
        {
            "name": "imports",
            "description": "Cars and records imported from XLSX or CSV sheets in the "
            "background, checked first (each user sees their own).",
        },
        {"name": "ai", "description": "The AI assistant: questions, proposed changes, audit."},
    ],
    # drf-standardized-errors' error enums, named once instead of per endpoint.
    "ENUM_NAME_OVERRIDES": {
        name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
        for name in (
            "ValidationErrorEnum",
            "ClientErrorEnum",
            "ServerErrorEnum",
            "ErrorCode403Enum",
            "ErrorCode404Enum",
            "ErrorCode405Enum",
            "ErrorCode406Enum",
            "ErrorCode415Enum",
            "ErrorCode429Enum",
            "ErrorCode500Enum",
        )
    }
    | {
        "ErrorCode401Enum": "shared_apps.core.openapi.ErrorCode401Enum",
        "ErrorCode413Enum": "shared_apps.core.openapi.ErrorCode413Enum",
        "CarStatusEnum": "tenant_apps.fleet.models.CarStatus",
        "DocumentStatusEnum": "tenant_apps.fleet.models.DocumentStatus",
        "ComplianceStatusEnum": "tenant_apps.fleet.compliance.ComplianceStatus",
        "ObligationEnum": "tenant_apps.fleet.compliance.Obligation",
        "LanguageEnum": "shared_apps.core.choices.Language",  # also a company's default
        "RoleEnum": "shared_apps.accounts.roles.Role",  # also a company's reminder roles
        # Shared by the reports and the AI chat's `data`, or next to one-value enums.
        "GroupByEnum": "tenant_apps.reports.selectors.GROUPINGS",
        "FuelGroupByEnum": "tenant_apps.reports.selectors.FUEL_GROUPINGS",
        "OwnershipGroupByEnum": "tenant_apps.reports.ownership.OWNERSHIP_GROUPINGS",
        "ReportEnum": "tenant_apps.reports.models.ExportReport",
        "JobStatusEnum": "tenant_apps.jobs.models.JobStatus",  # exports' and imports'
        "ImportEntityEnum": "tenant_apps.imports.columns.ENTITY_NAMES",
        "DocumentItemKindEnum": ["insurance", "inspection"],
        "DocumentItemTypeEnum": ["casco", "osago", "inspection"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "shared_apps.core.openapi.postprocess_error_responses",  # as the API answers them
        "shared_apps.core.openapi.postprocess_discriminated_refs",  # for openapi-typescript
    ],
}

# --- Celery (tenant-schemas-celery: tasks run in the schema they were sent from) ---------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# How long a worker waits for the result of a pool process that died before it hands the task
# out again (Celery's default is 10 s). The tasks keep their state in PostgreSQL and are
# idempotent, so a second run of one that did finish changes nothing: no need to wait long.
CELERY_WORKER_LOST_WAIT = 1.0
CELERY_TASK_TENANT_CACHE_SECONDS = 30
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Fail fast when Redis is down: an export request answers 503 within this many seconds (kombu
# retries a refused connection until then, so that a blip of Redis is ridden out) instead of
# hanging.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A message taken by a worker that died before acknowledging it (acks_late) goes back to the
# queue after `visibility_timeout`: longer than any task may run (build_export's 30-minute hard
# limit), or a running export would be handed out twice; shorter than EXPORT_STALE_SECONDS, so
# a dead worker's export is retried before housekeeping gives it up.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=35 * 60),
    # kombu scans for such messages every 10 s but, by default, only on every 10th scan: a lost
    # worker's job would wait up to 100 s more. One indexed ZRANGE every 10 s costs nothing.
    "unacked_restore_throttle": 1,
}
CELERY_BEAT_SCHEDULE = {
    "exports-housekeeping": {
        "task": "tenant_apps.reports.tasks.exports_housekeeping",
        "schedule": 600.0,
    },
    "reminders": {
        "task": "tenant_apps.notifications.tasks.reminders_beat",
        "schedule": 300.0,  # a company's run starts within 5 minutes of its REMINDER_HOUR
    },
    "imports-housekeeping": {
        "task": "tenant_apps.imports.tasks.imports_housekeeping",
        "schedule": 600.0,
    },
    "refill-spare-schemas": {
        "task": "shared_apps.companies.tasks.refill_spare_schemas",
        "schedule": 600.0,
    },
}

# --- Exports ------------------------------------------------------------------------------------
EXPORT_FILE_TTL_SECONDS = env.int("EXPORT_FILE_TTL_SECONDS", default=24 * 3600)
# A job still pending or running after this long is failed by the housekeeping task.
EXPORT_STALE_SECONDS = env.int("EXPORT_STALE_SECONDS", default=45 * 60)

# --- Reminders and e-mail -----------------------------------------------------------------------
# Each company's daily run starts at this hour of its own clock (its `timezone`).
REMINDER_HOUR = env.int("REMINDER_HOUR", default=9)
# A car's page on the frontend, for the links in reminders: `{company}` is the slug.
FRONTEND_URL = env("FRONTEND_URL", default="http://{company}.localhost:5173/cars/{id}")
# smtp://user:password@host:587 (+tls: smtp+tls://), or the console in development.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Fleet <fleet@localhost>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# A failed e-mail is tried again after this many seconds, doubled each time (5 retries).
EMAIL_RETRY_SECONDS = env.float("EMAIL_RETRY_SECONDS", default=30.0)

# --- AI assistant ---------------------------------------------------------------------------------
AI_PROVIDER = env("AI_PROVIDER", default="local")
AI_BASE_URL = env("AI_BASE_URL", default="")
AI_API_KEY = env("AI_API_KEY", default="")
AI_MODEL = env("AI_MODEL", default="")
AI_TIMEOUT_SECONDS = env.float("AI_TIMEOUT_SECONDS", default=20.0)
AI_RETRIES = env.int("AI_RETRIES", default=2)
# The whole chat (every round of tool calls, every retry) ends within this many seconds.
AI_CHAT_DEADLINE_SECONDS = env.float("AI_CHAT_DEADLINE_SECONDS", default=60.0)

# Every line names its request, company schema and user (shared_apps/core/logging.py). `json`
# (the production default) writes one JSON object per line for a log collector.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "shared_apps.core.logging.RequestContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s "
            "[%(request_id)s %(schema)s user=%(user_id)s] %(message)s"
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s "
            "%(request_id)s %(schema)s %(user_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
