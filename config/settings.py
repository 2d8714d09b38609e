"""Settings, read from the environment.

With nothing set, the engine runs embedded: SQLite in ``var/`` and Celery on
kombu's ``filesystem://`` transport. ``DATABASE_URL`` and ``REDIS_URL`` switch
to PostgreSQL and Redis (broker and cache) for real deployments.
"""
import datetime
import datetime as dt
import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# Both keys must be set (50+ random characters each, different) whenever DEBUG is off:
# config.checks refuses to start otherwise. ./scripts/run generates and keeps them in $VAR_DIR.
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-dev-key-change-me-" + "x" * 24
# The PIN key guards the citizens' 6-digit PINs (a keyed hash): kept apart from SECRET_KEY so a
# leaked session key does not open every PIN, and rotated with PIN_KEY_FALLBACKS (old keys, comma-separated).
PIN_KEY = os.environ.get("PIN_KEY") or "insecure-dev-pin-key-change-me"
PIN_KEY_FALLBACKS = [k for k in os.environ.get("PIN_KEY_FALLBACKS", "").split(",") if k]
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # swagger-ui's files, served from our own static (no CDN)
    "django_htmx",
    "axes",
    "csp",
    "pgtrigger",
    "viewflow",
    "viewflow.workflow",
    "organisation",
    "access",
    "deadlines",
    "cases",
    "workflows",
    "notifications",
    "open311",
    "letters",
    "reports",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from $VAR_DIR/static (collectstatic), before sessions and the rest.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx: the small live parts (intake look-up)
    "workflows.middleware.TaskUrlGuardMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees a view's exception first: a database outage becomes our 503 page.
    "config.middleware.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "notifications.context.unread_notifications",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get(
            "DATABASE_PREPARED_STATEMENTS", "on").strip().lower() not in ("off", "0", "false", "no"):
        # Django's cursors bind on the client and are never prepared; config.db's prepared cursors need
        # psycopg's prepared statements on (None turns them off whatever a cursor asks). Off for a pooler
        # that cannot keep them (PgBouncer before 1.21 in transaction mode).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # The embedded default serves web, worker and beat from one file:
            # WAL and a busy timeout keep them from tripping over each other.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username + address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# whitenoise serves $VAR_DIR/static from the app (./scripts/run runs collectstatic first): hashed
# names cached for a year, gzip/brotli copies made once. Tests use tests.settings (no collectstatic).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps (swagger-ui's are 5 MB) are for the browser's developer tools only: not compressed.
from whitenoise.compress import Compressor as _Compressor  # noqa: E402

WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*_Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "config.staticfiles.AppDirectoriesFinder",  # minus viewflow's node_modules
]
MEDIA_URL = "media/"  # routed nowhere: documents are served by cases.documents after a permission check
MEDIA_ROOT = VAR_DIR / "media"
# Case documents live here, outside any web root, and are read only through cases.documents.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))

# --- Hardening ------------------------------------------------------------------
# Login lockout (django-axes): 5 failures for one username from one address lock that pair for an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(hours=float(os.environ.get("AXES_COOLOFF_HOURS", "1")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.views.locked_out"  # our translated page, HTTP 429
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS=1 once the site is served over TLS: secure cookies, redirect to https, HSTS for a year.
HTTPS = env_bool("HTTPS", False)
if HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Behind a TLS-terminating proxy: the header it sets and its value, e.g. "HTTP_X_FORWARDED_PROTO,https".
# Only set it when the proxy overwrites that header on every request.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = tuple(part.strip() for part in os.environ["SECURE_PROXY_SSL_HEADER"].split(",", 1))

# Content Security Policy: scripts only from our origin or with the request's nonce.
# Styles: viewflow's templates and scripts set style="…" attributes on every list row, so inline
# styles are allowed (style-src 'unsafe-inline'); inline scripts and handlers are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Celery -----------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    # kombu's filesystem transport needs the same folder for in and out.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
SLA_SWEEP_INTERVAL_SECONDS = float(os.environ.get("SLA_SWEEP_INTERVAL_SECONDS", "60"))
NOTIFICATIONS_PENDING_INTERVAL_SECONDS = float(os.environ.get("NOTIFICATIONS_PENDING_INTERVAL_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {
        "task": "cases.tasks.sla_sweep_task",
        "schedule": SLA_SWEEP_INTERVAL_SECONDS,
    },
    # The queue counts' deltas folded into their base rows, so the delta table stays small.
    "fold-queue-counts": {
        "task": "cases.tasks.fold_queue_counts_task",
        "schedule": float(os.environ.get("QUEUE_COUNT_FOLD_INTERVAL_SECONDS", "60")),
    },
    "purge-orphan-files": {
        "task": "cases.tasks.purge_orphan_files_task",
        "schedule": 24 * 3600,
    },
    # Reminders of unsigned periodic reports: idempotent (one per head, unit, period and day).
    "report-reminders": {
        "task": "reports.tasks.report_reminders_task",
        "schedule": float(os.environ.get("REPORT_REMINDER_INTERVAL_SECONDS", "3600")),
    },
    # Outbox rows the broker never got, deferred by quiet hours, or backing off after a failure.
    "notifications-pending": {
        "task": "notifications.tasks.deliver_pending",
        "schedule": NOTIFICATIONS_PENDING_INTERVAL_SECONDS,
    },
    # One digest per person a day: hourly, and the first run from NOTIFICATIONS_DIGEST_HOUR makes it
    # (a beat down at that hour misses nothing; later runs that day find today's digests written).
    "notifications-daily-digests": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": 3600.0,
    },
}
# kombu's transport options beyond these, as a JSON object (e.g. {"unacked_mutex_expire": 60}).
CELERY_BROKER_TRANSPORT_OPTIONS.update(json.loads(os.environ.get("CELERY_BROKER_TRANSPORT_OPTIONS") or "{}"))
# With acks_late, a task whose worker died is handed out again after this many seconds (Redis broker).
CELERY_BROKER_TRANSPORT_OPTIONS.setdefault("visibility_timeout", int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")))

# --- Notifications ------------------------------------------------------------
# E-mail: SMTP when EMAIL_HOST is set, else files under $VAR_DIR/mail (development).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@petitions.invalid")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
# SMS: the HTTP gateway in production (SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN), else JSON lines under $VAR_DIR/sms.
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_SENDER = os.environ.get("SMS_GATEWAY_SENDER", "")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "10"))
SMS_BACKEND = os.environ.get("SMS_BACKEND") or (
    "notifications.channels.HttpSmsGateway" if SMS_GATEWAY_URL else "notifications.channels.FileSmsGateway")
SMS_FILE_DIR = VAR_DIR / "sms"
# Quiet hours: SMS only from the first to before the second hour (legal zone), on working days.
NOTIFICATIONS_QUIET_HOURS = env_bool("NOTIFICATIONS_QUIET_HOURS", True)
NOTIFICATIONS_SMS_HOURS = tuple(int(h) for h in os.environ.get("NOTIFICATIONS_SMS_HOURS", "7-21").split("-"))
NOTIFICATIONS_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATIONS_MAX_ATTEMPTS", "5"))
NOTIFICATIONS_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFICATIONS_RETRY_BASE_SECONDS", "30"))
NOTIFICATIONS_BATCH = int(os.environ.get("NOTIFICATIONS_BATCH", "500"))
# The escalation chain's third link: still overdue after this many working days → the head of the unit above.
NOTIFICATIONS_DIGEST_HOUR = int(os.environ.get("NOTIFICATIONS_DIGEST_HOUR", "7"))
ESCALATE_ABOVE_AFTER_WORKING_DAYS = int(os.environ.get("ESCALATE_ABOVE_AFTER_WORKING_DAYS", "5"))

# --- Engine knobs ---------------------------------------------------------------
# Working days before a deadline at which a case becomes "due soon" (a holiday such as Tết
# cannot swallow the warning): due on or before the N-th working day after today.
SLA_DUE_SOON_WORKING_DAYS = int(os.environ.get("SLA_DUE_SOON_WORKING_DAYS", "3"))
# Every legal date ("today", the day of receipt, the reporting-period midnight) is read in this zone,
# whatever zone a request activates for display (deadlines.clock).
LEGAL_TIME_ZONE = "Asia/Ho_Chi_Minh"
# Open longer than this many calendar days counts as prolonged (kéo dài).
SLA_PROLONGED_AFTER_DAYS = int(os.environ.get("SLA_PROLONGED_AFTER_DAYS", "180"))
# Reference §2: whether the day of a resumption decision is itself counted.
DEADLINE_COUNT_RESUMPTION_DAY = env_bool("DEADLINE_COUNT_RESUMPTION_DAY", False)
# How often a process checks whether rules or calendar overrides changed elsewhere.
DEADLINE_CACHE_CHECK_SECONDS = float(os.environ.get("DEADLINE_CACHE_CHECK_SECONDS", "1"))
# How many days before a report's submission deadline (reports.periods) the heads of units that
# have not signed it are reminded (once a day).
REPORT_REMINDER_DAYS = int(os.environ.get("REPORT_REMINDER_DAYS", "7"))
# A report of one unit holding more cases than this runs on a worker, like every roll-up.
REPORT_BACKGROUND_CASES = int(os.environ.get("REPORT_BACKGROUND_CASES", "50000"))
# Reporting periods' data windows and submission deadlines, with effective dates (deadlines.periods,
# reports.periods; unset: deadlines.periods.DEFAULT_RULES, windows 15/12–14/12). The one source of the
# reporting-period start too: a case received before the current annual window is backlogged (cases.sla).
# A JSON list, e.g. [{"effective_from": "2000-01-01", "cutoff_day": 14, "deadlines": {"H1": "06-10", "Y": "11-25"}}].
REPORT_PERIOD_RULES = json.loads(os.environ["REPORT_PERIOD_RULES"]) if os.environ.get("REPORT_PERIOD_RULES") else None
# /track/: wrong PINs allowed per receipt code, and per client address (a whole commune may sit
# behind one NAT address, so far more), within TRACK_LOCK_SECONDS.
TRACK_CODE_MAX_FAILURES = int(os.environ.get("TRACK_CODE_MAX_FAILURES", "5"))
TRACK_CLIENT_MAX_FAILURES = int(os.environ.get("TRACK_CLIENT_MAX_FAILURES", "100"))
TRACK_LOCK_SECONDS = int(os.environ.get("TRACK_LOCK_SECONDS", "3600"))
# Intake: no petition is logged as received before this day (ISO date).
EARLIEST_RECEIPT_DATE = datetime.date.fromisoformat(os.environ.get("EARLIEST_RECEIPT_DATE", "2000-01-01"))

# Identities at rest (cases.crypto, reference §5): comma-separated Fernet keys, the first encrypts and
# all decrypt (rotation: put a new key first, run `manage.py rotate_identity_keys`, drop the old one);
# and the key of the blind indexes that match ID numbers, phones and names. Required unless DEBUG.
IDENTITY_KEYS = [key.strip() for key in os.environ.get("IDENTITY_KEYS", "").split(",") if key.strip()]
IDENTITY_INDEX_KEY = os.environ.get("IDENTITY_INDEX_KEY", "")

# --- REST API (api/) -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],  # the browser reads /api/docs/
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # Anonymous callers (the token endpoint, the docs) are rate-limited per address; counted in the
    # default cache, which is Redis (shared by every gunicorn worker) whenever REDIS_URL is set.
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "30/minute")},
    "COERCE_DECIMAL_TO_STRING": False,
    "DATETIME_FORMAT": "iso-8601",
}
# Open311's reads (no key needed), per client address; its POSTs carry a key and are not counted here.
OPEN311_READ_RATE = os.environ.get("OPEN311_READ_RATE", "120/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Petitions engine API",
    "DESCRIPTION": "Cases, acts, tasks and deadlines of the citizens' petitions engine.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # the case's SLA state and each deadline's state are one choice set: one name in the schema
    "ENUM_NAME_OVERRIDES": {"SlaStateEnum": "api.serializers.SLA_STATES"},
}
# Intake retries with the same Idempotency-Key are answered from the stored result this long (days).
API_IDEMPOTENCY_DAYS = int(os.environ.get("API_IDEMPOTENCY_DAYS", "7"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; failures and lockouts come at WARNING.
    "loggers": {"axes": {"level": os.environ.get("AXES_LOG_LEVEL", "WARNING")}},
}
