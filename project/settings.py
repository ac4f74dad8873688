"""Parcours settings: one module, driven by the environment (see docs/configuration.md)."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from project.env import env_bool, env_int, env_list, env_proxy_ssl_header, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "django_filters",
    "csp",
    # Triggers that keep the transition log append-only on PostgreSQL (pathways.models.Transition).
    "pgtrigger",
    # Second factor (TOTP apps and single-use recovery codes) and sign-in lockout (accounts/).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "accounts",
    "audit",
    "territories",
    "pathways",
    "facts",
    "reports",
    "web",
    "places",
    "notifications",
    "quality",
    "steering",
    "api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Every non-static response carries personal data, or may: no copy in any cache.
    "web.middleware.NoStoreMiddleware",
    # Before sessions: a NUL in a cookie, the path or a field would fail PostgreSQL queries (400 instead).
    "web.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Tells whether this session entered a second-factor code (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: administrators, superusers and any session that reaches the
    # admin or an administrator page pass a second factor (roles.md, docs/roles.md).
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a lockout into the sign-in page with its French message (accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
            ],
        },
    },
]

# Without DATABASE_URL the product runs on a local SQLite file.
DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    # conn_health_checks: a persistent connection broken by a database restart is replaced before the
    # next request uses it, instead of failing that request with a 500 in every worker.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / env_str("SQLITE_PATH", "db.sqlite3"),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Connection pooling on PostgreSQL (docs/exploitation.md): DATABASE_POOL=true opens a psycopg pool in
# each process (needs the psycopg-pool package); DATABASE_PGBOUNCER=true when DATABASE_URL names a
# PgBouncer in transaction mode (no server-side cursors: a cursor would outlive the transaction).
DATABASE_POOL = env_bool("DATABASE_POOL", False)
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER", False)
ON_POSTGRESQL = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if (DATABASE_POOL or DATABASE_PGBOUNCER) and not ON_POSTGRESQL:
    raise ImproperlyConfigured("DATABASE_POOL and DATABASE_PGBOUNCER need a PostgreSQL DATABASE_URL.")
if DATABASE_POOL and DATABASE_PGBOUNCER:
    raise ImproperlyConfigured("Choose one pool: DATABASE_POOL (in the process) or DATABASE_PGBOUNCER.")
if DATABASE_POOL:
    # A pooled connection goes back to the pool at the end of each request: no persistent connection.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN_SIZE", 2),
        "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10),
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
    }
if DATABASE_PGBOUNCER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# PostgreSQL's JIT compiles each big query for about half a second, more than it saves on the indicator
# queries (measured at 1,000,000 pathways, docs/performance.md): off for the sessions of the product, unless
# DATABASE_JIT=true. PgBouncer refuses the startup option: set `ALTER ROLE … SET jit = off` there instead.
DATABASE_JIT = env_bool("DATABASE_JIT", False)
PG_SESSION_OPTIONS = "" if DATABASE_JIT or DATABASE_PGBOUNCER else "-c jit=off"
if ON_POSTGRESQL and PG_SESSION_OPTIONS:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = PG_SESSION_OPTIONS
# Optional PostgreSQL streaming replica: the bilan computation, drill-downs and exports read from it,
# nothing else (project/db_router.py); down or more than REPLICA_MAX_LAG_SECONDS behind, the primary.
DATABASE_REPLICA_URL = env_url("DATABASE_REPLICA_URL", ("postgres", "postgresql"))
if DATABASE_REPLICA_URL:
    if not ON_POSTGRESQL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL (its primary).")
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    # A replica that does not answer is given up on quickly (the reads then go to the primary).
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("REPLICA_CONNECT_TIMEOUT", 3)
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_PGBOUNCER
    if PG_SESSION_OPTIONS:
        DATABASES["replica"]["OPTIONS"]["options"] = PG_SESSION_OPTIONS
    # Tests run against the primary's test database only.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["project.db_router.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30)
# The replica's state (reachable, lag) is checked at most this often per process.
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 5)

AUTH_USER_MODEL = "accounts.User"
# The first backend refuses sign-ins while locked after repeated failures (django-axes, accounts/lockout.py);
# then passwords (unless LOCAL_PASSWORDS_ENABLED is false) and ProConnect (accounts/oidc.py).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "accounts.backends.PasswordBackend",
    "accounts.oidc.ProConnectBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Administrators and superusers enter a code from an authenticator app after their password (roles.md,
# accounts/second_factor.py). Not read from the environment: no instance may run without it.
SECOND_FACTOR_REQUIRED = True
# django-otp: our own lock after 5 wrong codes (accounts/second_factor.py) replaces its growing delays,
# which would refuse a quick second try without saying why.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_TOTP_ISSUER = "Parcours"

# ProConnect, the state's OpenID Connect federation for professionals (accounts/oidc.py, docs/connexion.md):
# an invited account is linked at its first ProConnect sign-in by its email; nobody gets an account by
# signing in. Passwords stay possible unless LOCAL_PASSWORDS_ENABLED is false.
LOCAL_PASSWORDS_ENABLED = env_bool("LOCAL_PASSWORDS_ENABLED", True)
PROCONNECT_ENABLED = env_bool("PROCONNECT_ENABLED", False)
# e.g. https://auth.agentconnect.gouv.fr/api/v2 (production), https://fca.integ01.dev-agentconnect.fr/api/v2
# (integration); each endpoint can be set on its own (they are the discovery document's).
PROCONNECT_ISSUER = env_str("PROCONNECT_ISSUER", None if PROCONNECT_ENABLED else "").rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("PROCONNECT_AUTHORIZATION_ENDPOINT", f"{PROCONNECT_ISSUER}/authorize")
OIDC_OP_TOKEN_ENDPOINT = env_str("PROCONNECT_TOKEN_ENDPOINT", f"{PROCONNECT_ISSUER}/token")
OIDC_OP_USER_ENDPOINT = env_str("PROCONNECT_USERINFO_ENDPOINT", f"{PROCONNECT_ISSUER}/userinfo")
OIDC_OP_JWKS_ENDPOINT = env_str("PROCONNECT_JWKS_ENDPOINT", f"{PROCONNECT_ISSUER}/jwks")
PROCONNECT_END_SESSION_ENDPOINT = env_str("PROCONNECT_END_SESSION_ENDPOINT", f"{PROCONNECT_ISSUER}/session/end")
PROCONNECT_END_SESSION_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(PROCONNECT_END_SESSION_ENDPOINT))
OIDC_RP_CLIENT_ID = env_str("PROCONNECT_CLIENT_ID", None if PROCONNECT_ENABLED else "")
OIDC_RP_CLIENT_SECRET = env_str("PROCONNECT_CLIENT_SECRET", None if PROCONNECT_ENABLED else "")
OIDC_RP_SIGN_ALGO = env_str("PROCONNECT_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("PROCONNECT_SCOPES", "openid email given_name usual_name siret uid idp_id")
# acr_values: AgentConnect's historic "eidas1"; ProConnect refuses unknown parameters, so empty by default.
PROCONNECT_ACR_VALUES = env_str("PROCONNECT_ACR_VALUES", "")
# Ask for the amr and acr claims in the id_token (ProConnect sends them only when asked).
PROCONNECT_REQUEST_AMR = env_bool("PROCONNECT_REQUEST_AMR", True)
# A sign-in whose amr lists one of these methods, or whose acr is one of these levels, passed a second
# factor at the identity provider: the session needs no code of ours (accounts/second_factor.py).
PROCONNECT_MFA_AMR_VALUES = env_list("PROCONNECT_MFA_AMR_VALUES", ["mfa", "otp", "totp", "pop"])
PROCONNECT_MFA_ACR_VALUES = env_list(
    "PROCONNECT_MFA_ACR_VALUES",
    [
        "eidas2",
        "eidas3",
        "https://proconnect.gouv.fr/assurance/self-asserted-2fa",
        "https://proconnect.gouv.fr/assurance/consistency-checked-2fa",
    ],
)
OIDC_USE_PKCE = env_bool("PROCONNECT_USE_PKCE", False)
OIDC_TIMEOUT = env_int("PROCONNECT_TIMEOUT_SECONDS", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:callback"
# Accounts are invited, never created by a sign-in; the id_token is kept for the end-session call.
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True

# Lockout (django-axes, accounts/lockout.py): 5 failures of one name from one address lock that name at
# that address for 15 minutes, so that nobody can lock someone else's account from afar; 50 failures from
# one address, whatever the names, lock the address (password spraying). Not read from the environment.
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = 5
AXES_IP_FAILURE_LIMIT = 50
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
# A try during the lock does not push its end back: the message's minutes stay true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "accounts.lockout.typed_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# The sign-in history is the audit log's (accounts/signals.py), not a second table.
AXES_DISABLE_ACCESS_LOG = True
# Behind reverse proxies REMOTE_ADDR is the last proxy's: with PROXY_COUNT proxies in front, the client's
# address is read from X-Forwarded-For, as many entries from the right (accounts/lockout.py: client_ip).
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"

# Accounts are created by an invitation link, valid this many days (accounts/invitations.py); a forgotten
# password is reset by a link valid PASSWORD_RESET_TIMEOUT seconds (Django's default: 3 days).
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_SECONDS", 3 * 24 * 3600)

# Email (invitations, password resets): SMTP from the environment; printed on the console in development.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Parcours <ne-pas-repondre@localhost>")
# The site's address, for the links of emails sent by Celery, outside any request (docs/notifications.md).
SITE_URL = env_str("SITE_URL", "http://localhost:8000")
# A notification email that fails is tried this many times in all (1, 2, 4... minutes apart), then logged.
NOTIFICATION_EMAIL_ATTEMPTS = env_int("NOTIFICATION_EMAIL_ATTEMPTS", 4)
# A transactional provider's HTTP API instead of SMTP (django-anymail, docs/notifications.md): each
# ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"], e.g. ANYMAIL_BREVO_API_KEY.
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items() if key.startswith("ANYMAIL_")}

# Sessions expire after 30 minutes idle (roles.md): accounts.middleware.SlidingSessionMiddleware saves
# them again once a minute at most, rather than on every request (SESSION_SAVE_EVERY_REQUEST).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Served over TLS in production (docs/configuration.md). Browsers keep to HTTPS for a year once they saw
# the site over TLS (the header is only sent on HTTPS responses), plain HTTP is redirected, and behind a
# proxy that ends TLS its header (e.g. X-Forwarded-Proto) says whether the client used HTTPS.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Preloading is a commitment taken on hstspreload.org by the operator of the domain, not by the code.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# The covering indexes of facts.StageSpan and pathways.Pathway are PostgreSQL indexes; SQLite keeps their key
# columns, on purpose.
SILENCED_SYSTEM_CHECKS += ["models.W040"]

# Only the application's own files run or style a page: no inline script or style, no other origin.
# DSFR icons are data: and SVG images; htmx's inline indicator style is turned off in base.html.
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
        # Signing out of a ProConnect session is a form whose answer redirects to ProConnect's end-session.
        "form-action": [SELF, *([PROCONNECT_END_SESSION_ORIGIN] if PROCONNECT_ENABLED else [])],
        "frame-ancestors": [NONE],
    }
}

# The REST API (docs/api.md): tokens only (no session, so no CSRF), JSON only (no browsable pages, which
# would need inline scripts), pages by cursor, French errors, per-token throttling.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasToken"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle", "api.throttling.AnonymousRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.IdCursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Parcours",
    "DESCRIPTION": "Ménages, parcours et leurs étapes, bilans : voir docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "persistAuthorization": False},
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "pathways.enums.Stage",
        "OpeningStageEnum": ["reperage", "demande"],
        "ContactKindEnum": "pathways.enums.ContactKind",
        "MeasureKindEnum": "pathways.enums.MeasureKind",
    },
}
# Requests per API token, and per address without a valid token (DRF rate: "120/minute", "5000/day").
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "120/minute")
API_ANONYMOUS_THROTTLE_RATE = env_str("API_ANONYMOUS_THROTTLE_RATE", "30/minute")
# Longest validity an administrator may give an API token, in days.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = BASE_DIR / env_str("MEDIA_DIR", "media")
# In development and under `make run`, serve static files straight from the apps (no collectstatic needed).
SERVE_STATIC_FROM_APPS = env_bool("SERVE_STATIC_FROM_APPS", DEBUG)
WHITENOISE_USE_FINDERS = SERVE_STATIC_FROM_APPS
WHITENOISE_AUTOREFRESH = SERVE_STATIC_FROM_APPS

# Celery: without REDIS_URL, tasks run in-process (eagerly) when they are sent.
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# One queue per kind of work, each with its own workers (docker-compose.yml, docs/exploitation.md): a
# national bilan never delays a caseworker's import, nor an export the sweeps and emails.
# (The routes are project.celery.QUEUES.)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = ["project.celery.route_task"]
CELERY_TIMEZONE = TIME_ZONE
# A bilan (an import) still running after this many minutes is marked failed, heartbeat or not: on every
# list page, and by the beat task below when a beat process runs.
BILAN_RUN_TIMEOUT_MINUTES = env_int("BILAN_RUN_TIMEOUT_MINUTES", 30)
# How long the drill-down keeps the list of a figure's records a reader may list (reports/views/records.py).
DRILLDOWN_CACHE_SECONDS = env_int("DRILLDOWN_CACHE_SECONDS", 600)
IMPORT_JOB_TIMEOUT_MINUTES = env_int("IMPORT_JOB_TIMEOUT_MINUTES", 30)
# A queue export of more than this many rows is built in the background (exports queue) and downloaded
# from its page until QUEUE_EXPORT_RETENTION_HOURS have passed; a sweep then empties the file.
QUEUE_EXPORT_IMMEDIATE_ROWS = env_int("QUEUE_EXPORT_IMMEDIATE_ROWS", 5000)
QUEUE_EXPORT_RETENTION_HOURS = env_int("QUEUE_EXPORT_RETENTION_HOURS", 24)
QUEUE_EXPORT_TIMEOUT_MINUTES = env_int("QUEUE_EXPORT_TIMEOUT_MINUTES", 30)
# Largest exchange file (.zip or .csv) the upload page accepts; an archive may unpack to ten times this.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# An import stores (and shows) at most this many errors of a file, then counts the others.
IMPORT_MAX_ERRORS = env_int("IMPORT_MAX_ERRORS", 1000)
# An import holds one bucket of the folder in memory at a time (pathways/exchange/partition.py): a bucket
# is about this many bytes of CSV; the buckets are written under IMPORT_SCRATCH_DIR (empty: the system's
# temporary directory), about 1.4 times the size of the folder, and deleted when the import ends.
IMPORT_BUCKET_BYTES = env_int("IMPORT_BUCKET_BYTES", 8 * 1024 * 1024)
IMPORT_SCRATCH_DIR = env_str("IMPORT_SCRATCH_DIR", "")
# Import jobs (their errors and file) are deleted after this many days (12 months, as the audit log).
IMPORT_JOB_RETENTION_DAYS = env_int("IMPORT_JOB_RETENTION_DAYS", 365)
# Background jobs (project/background.py, docs/exploitation.md): a running bilan or import writes a
# heartbeat every JOB_HEARTBEAT_SECONDS / 12; one silent for JOB_HEARTBEAT_SECONDS is taken for dead and
# put back in the queue, up to JOB_MAX_ATTEMPTS workers; one never started in JOB_PENDING_MAX_HOURS
# (broker down) is failed.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 60)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
JOB_PENDING_MAX_HOURS = env_int("JOB_PENDING_MAX_HOURS", 24)
# A killed worker process gives its message back to the queue at once (with acks_late); Redis gives back
# an unacknowledged message after visibility_timeout, which must outlast the longest job (else a job
# still running is delivered twice; the second delivery is then dropped, its heartbeat being fresh).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": (max(BILAN_RUN_TIMEOUT_MINUTES, IMPORT_JOB_TIMEOUT_MINUTES) + 5) * 60,
    "socket_connect_timeout": 3,
}
# With the broker down, sending fails within a second (the row waits in the outbox) instead of hanging.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# Case files without activity for this many days are anonymised (roles.md: 2 years).
ANONYMISE_AFTER_DAYS = env_int("ANONYMISE_AFTER_DAYS", 730)
# A proposal of a place still without an answer after this many days is flagged (docs/places.md).
PROPOSAL_ANSWER_DAYS = env_int("PROPOSAL_ANSWER_DAYS", 15)
# Data quality (docs/indicateurs.md, « Qualité des données »): a file is stale after this many days without a transition nor a contact,
# and a transition is recorded late more than QUALITY_LATE_DAYS days after its date.
QUALITY_STALE_DAYS = env_int("QUALITY_STALE_DAYS", 90)
QUALITY_LATE_DAYS = env_int("QUALITY_LATE_DAYS", 30)
# Monthly steering (docs/indicateurs.md, « Pilotage mensuel »): a pathway stops being active after this many
# days without a transition nor a contact. The read model holds it: change it, then `manage.py rebuild_facts`.
STEERING_INACTIVE_DAYS = env_int("STEERING_INACTIVE_DAYS", 90)
if STEERING_INACTIVE_DAYS < 1:
    raise ImproperlyConfigured(
        f"STEERING_INACTIVE_DAYS={STEERING_INACTIVE_DAYS} must be a number of days of at least 1."
    )
CELERY_BEAT_SCHEDULE = {
    # Every minute, as the heartbeat limit: retry or fail the interrupted jobs, send the unsent ones.
    "fail-stuck-bilan-runs": {"task": "reports.fail_stuck_runs", "schedule": 60.0},
    "fail-stuck-import-jobs": {"task": "pathways.fail_stuck_import_jobs", "schedule": 60.0},
    "sweep-queue-exports": {"task": "web.queue_exports_sweep", "schedule": 60.0},
    "purge-import-jobs": {"task": "pathways.purge_import_jobs", "schedule": 24 * 3600.0},
    "purge-audit-log": {"task": "audit.tasks.purge_audit_log", "schedule": 24 * 3600.0},
    "anonymise-inactive-households": {"task": "pathways.anonymise_inactive", "schedule": 24 * 3600.0},
    # « À traiter » (docs/notifications.md): opened items, jobs failed without a signal, unsent emails;
    # pathways become « bloqué » by the days passing; the weekly digest on Monday morning.
    "notifications-sweep": {"task": "notifications.sweep", "schedule": 300.0},
    "notifications-detect-stalled": {"task": "notifications.detect_stalled", "schedule": crontab(hour=6, minute=0)},
    "notifications-digest": {
        "task": "notifications.send_digests",
        "schedule": crontab(day_of_week=1, hour=7, minute=0),
    },
    # The quality trend's snapshot of the month just ended (quality/snapshots.py), the 1st at 02:30: a
    # national computation of every file, in the queue of the long jobs, not before the sweeps and emails.
    "quality-snapshot-last-month": {
        "task": "quality.snapshot_last_month",
        "schedule": crontab(day_of_month=1, hour=2, minute=30),
        "options": {"queue": "bilans"},
    },
    # The figures of the day of the quality page (quality/daily.py), every night at 02:15: one national
    # grouped query over the active files, in the queue of the long jobs; the page reads them all day.
    "quality-snapshot-today": {
        "task": "quality.snapshot_today",
        "schedule": crontab(hour=2, minute=15),
        "options": {"queue": "bilans"},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # axes logs every sign-in at INFO; the audit log has them (accounts/signals.py).
    "loggers": {"axes": {"level": "WARNING"}},
}
