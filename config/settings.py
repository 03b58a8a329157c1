"""Pulse settings: one module, driven by the environment.

A fresh clone needs nothing set: SQLite, DEBUG on, development keys and an email outbox folder.
Production sets DJANGO_DEBUG=0 and real keys; starting with DEBUG off while any development key
is still in use, or any key is too short to be random (config.keys), is refused, so a forgotten
variable cannot ship a guessable key.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_flag, env_list
from config.keys import GENERATE, key_problems, public_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PULSE_VAR_DIR", BASE_DIR / "var"))


DEBUG = env_flag("DJANGO_DEBUG", True)

# Development keys: public on purpose, refused below when DEBUG is off.
DEVELOPMENT_SECRET_KEY = "dev-only-django-secret-key-not-for-production"  # noqa: S105
DEVELOPMENT_TOKEN_KEY = "dev-only-pulse-token-key-not-for-production"  # noqa: S105
DEVELOPMENT_BALLOT_KEY = "dev-only-pulse-ballot-key-not-for-production"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or DEVELOPMENT_SECRET_KEY
# Keys the digest of answer-link tokens (HMAC-SHA256): deliberately not SECRET_KEY, never in the DB.
PULSE_TOKEN_KEY = os.environ.get("PULSE_TOKEN_KEY") or DEVELOPMENT_TOKEN_KEY
# Pending ballots are sealed to a public key and opened only by the sweeping worker
# (pulse.sealing). Web processes need only PULSE_BALLOT_PUBLIC_KEY (`manage.py
# ballot_public_key` prints it); the worker that sweeps holds the private PULSE_BALLOT_KEY. With
# neither set, development derives both from a public development key.
PULSE_BALLOT_PUBLIC_KEY = os.environ.get("PULSE_BALLOT_PUBLIC_KEY", "")
PULSE_BALLOT_KEY = os.environ.get("PULSE_BALLOT_KEY") or (
    "" if PULSE_BALLOT_PUBLIC_KEY else DEVELOPMENT_BALLOT_KEY
)
# During a key rotation only: the keys being replaced (docs/deployment.md, "Keys").
PULSE_TOKEN_KEY_PREVIOUS = os.environ.get("PULSE_TOKEN_KEY_PREVIOUS", "")
PULSE_BALLOT_KEY_PREVIOUS = os.environ.get("PULSE_BALLOT_KEY_PREVIOUS", "")

if not DEBUG:
    # Development keys are public, and a short or repetitive key can be guessed: either would
    # let anyone holding a database dump test answer links (PULSE_TOKEN_KEY) or, with the
    # worker's key, open pending ballots (PULSE_BALLOT_KEY). Refuse to start with one.
    weak_keys = key_problems(
        {
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "PULSE_TOKEN_KEY": PULSE_TOKEN_KEY,
            "PULSE_BALLOT_KEY": PULSE_BALLOT_KEY,
            "PULSE_TOKEN_KEY_PREVIOUS": PULSE_TOKEN_KEY_PREVIOUS,
            "PULSE_BALLOT_KEY_PREVIOUS": PULSE_BALLOT_KEY_PREVIOUS,
        },
        development={
            "DJANGO_SECRET_KEY": DEVELOPMENT_SECRET_KEY,
            "PULSE_TOKEN_KEY": DEVELOPMENT_TOKEN_KEY,
            "PULSE_BALLOT_KEY": DEVELOPMENT_BALLOT_KEY,
        },
    )
    if PULSE_BALLOT_PUBLIC_KEY and (problem := public_key_problem(PULSE_BALLOT_PUBLIC_KEY)):
        weak_keys.append(problem)
    if weak_keys:
        raise ImproperlyConfigured(
            "Refusing to start with DJANGO_DEBUG off: "
            + "; ".join(weak_keys)
            + f". Set each to at least 32 random bytes, for example: {GENERATE}"
        )

# --- Transport and browser security ------------------------------------------------------
# Production assumes HTTPS (directly or behind a proxy that sets X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env_flag("PULSE_SSL_REDIRECT", not DEBUG)
# Load balancers probe over plain HTTP inside the network: answer them, do not redirect.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_flag("PULSE_BEHIND_PROXY", not DEBUG) else None
)
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("PULSE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The preload flag only makes the site eligible for browsers' HSTS preload list; an operator
# whose parent domain must keep plain HTTP somewhere can turn it off.
SECURE_HSTS_PRELOAD = env_flag("PULSE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # answer pages tighten this to no-referrer
X_FRAME_OPTIONS = "DENY"
# Everything Pulse serves comes from its own origin: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Absolute base of the links in emails (the answer link). No trailing slash.
PULSE_BASE_URL = os.environ.get("PULSE_BASE_URL", "http://localhost:8000").rstrip("/")
# What the product calls itself in emails and on pages: the organisation may name it.
PULSE_SITE_NAME = os.environ.get("PULSE_SITE_NAME", "Pulse")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "health_check",
    "allauth",
    "allauth.account",
    "teams",
    "surveys",
    "customers",
    "pulse",
    # The composition root (tick, seed_demo, the demo): it imports any app, none imports it.
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Under DEBUG (scripts/run's default) people still get the product's 404, not Django's.
    "config.refusal_pages.ProductNotFoundUnderDebug",
]
CSRF_FAILURE_VIEW = "config.refusal_pages.csrf_failure"

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file: wait for locks instead of failing at once,
    # and take the write lock when a transaction begins, so two transactions never deadlock
    # upgrading a read lock (and checks made inside a transaction hold until it commits).
    # The write-ahead log lets readers go on while one writer commits, and makes a commit one
    # append instead of a journal file created, synced and deleted.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        # secure_delete: a deleted sealed ballot, link digest or invitation row is overwritten
        # with zeros, not left readable in the file's free pages (docs/anonymity.md).
        init_command="PRAGMA journal_mode=WAL; PRAGMA secure_delete=ON",
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A persistent connection is checked before a request reuses it, so the first requests after a
# database restart get a fresh connection instead of a 500 on the dead one.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Logins (django-allauth): managers and HR, by email with a password or an emailed code ----
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
# Setting a password from the invitation (or a forgotten-password link) ends signed in.
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
# allauth would name the site after the request's host ("localhost:8101"); use ours.
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"{PULSE_SITE_NAME}: "
# A reset asked for an unknown address sends nothing (allauth's email offers a sign-up).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Nobody signs up: HR invites managers (teams admin, "Invite to log in").
ACCOUNT_ADAPTER = "teams.accounts.InviteOnlyAccountAdapter"
# Failed logins are counted in the cache (Redis) with expiry, per address and per account.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "request_login_code": "10/m/ip,3/m/key",
    "reset_password": "10/m/ip,3/m/key",
}

# --- Email -------------------------------------------------------------------------------
# Any Django email backend works: SMTP, anymail's provider backends, or the file outbox used
# in development (one file per message in EMAIL_FILE_PATH).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "outbox"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", False)
# Seconds one exchange with the SMTP server may take (a fraction is fine, e.g. 2.5).
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL",
    f"{PULSE_SITE_NAME} <pulse@{urlsplit(PULSE_BASE_URL).hostname or 'localhost'}>",
)

# --- Celery ------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "rpc://"
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
# A task is acknowledged after it ran, so a worker killed mid-task leaves it for another.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Unacknowledged tasks come back after this long; nothing is ever scheduled further ahead.
CELERY_BROKER_VISIBILITY_TIMEOUT = 3600
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every task is short (a tick, or a sender that stops claiming after its time budget), so one
# still running at the soft limit is stuck: SoftTimeLimitExceeded is raised in it, and the hard
# limit kills it a minute later. A batch it had claimed is claimed again once the claim expires
# (PULSE_SEND_CLAIM_SECONDS). Both limits stay below the visibility timeout, so the broker never
# hands a task to a second worker while the first is still running it.
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("PULSE_TASK_SOFT_TIME_LIMIT", "600"))
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
if CELERY_TASK_TIME_LIMIT >= CELERY_BROKER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        f"PULSE_TASK_SOFT_TIME_LIMIT={CELERY_TASK_SOFT_TIME_LIMIT}: a task's hard limit (60 s "
        f"more) must stay below the broker's visibility timeout of "
        f"{CELERY_BROKER_VISIBILITY_TIMEOUT} s."
    )
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A dedicated queue for sending (docs/deployment.md): set the same value on every host and run
# workers with -Q for it; empty keeps everything on Celery's default queue.
PULSE_EMAIL_QUEUE = os.environ.get("PULSE_EMAIL_QUEUE", "")
CELERY_TASK_ROUTES = (
    {"surveys.send_owed_emails": {"queue": PULSE_EMAIL_QUEUE}} if PULSE_EMAIL_QUEUE else {}
)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat only says "it is time to look": every tick derives what is due from the database, so a
# missed, repeated or doubled tick is harmless. Expiry keeps ticks from piling up in a queue.
CELERY_BEAT_SCHEDULE = {
    "surveys-tick": {"task": "surveys.tick", "schedule": 60.0, "options": {"expires": 55}},
    "pulse-tick": {"task": "pulse.tick", "schedule": 60.0, "options": {"expires": 55}},
}

# --- Cache --------------------------------------------------------------------------------
# Rate-limit counters live here, with expiry: never in the database or the logs.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("CACHE_URL") or REDIS_URL,
        "KEY_PREFIX": "pulse",
        "TIMEOUT": 300,
        # A Redis that is down or unreachable is noticed within a second, not after the
        # operating system's TCP timeout: the answer page goes on without its throttle
        # (pulse.abuse), instead of hanging.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

# Unknown answer links one client may try per 10 minutes before it is refused for a while.
PULSE_UNKNOWN_LINK_LIMIT = int(os.environ.get("PULSE_UNKNOWN_LINK_LIMIT", "20"))
# Where the client's address is: REMOTE_ADDR, or e.g. HTTP_X_FORWARDED_FOR behind a proxy.
PULSE_CLIENT_ADDRESS_HEADER = os.environ.get("PULSE_CLIENT_ADDRESS_HEADER", "REMOTE_ADDR")

# --- Surveys -----------------------------------------------------------------------------
# Emails per batch: one SMTP connection each, and the most a killed worker can leave claimed.
PULSE_EMAIL_BATCH_SIZE = int(os.environ.get("PULSE_EMAIL_BATCH_SIZE", "100"))
# A claim on a batch that has not been renewed for this long is taken to be a dead sender's,
# and its unsent rows are claimed again. A live sender renews its claim every tenth of this
# while it sends, and a batch gives back what it has not sent after half of it.
PULSE_SEND_CLAIM_SECONDS = int(os.environ.get("PULSE_SEND_CLAIM_SECONDS", "900"))
# Sender tasks each tick starts per open cycle that still owes emails.
PULSE_SENDERS_PER_CYCLE = int(os.environ.get("PULSE_SENDERS_PER_CYCLE", "2"))
# How long one sender task sends before it gives back what it holds to the next tick's senders.
PULSE_SENDER_TIME_BUDGET_SECONDS = int(os.environ.get("PULSE_SENDER_TIME_BUDGET_SECONDS", "240"))
# One email is about four exchanges with the SMTP server (MAIL, RCPT, DATA, the message), each
# allowed EMAIL_TIMEOUT. It must end well inside a claim, or another sender could take its row
# while it is still going and send it again; and a sender's last email must end inside its
# task's soft time limit, or the limit interrupts it between "left" and "recorded".
ONE_EMAIL_AT_MOST_SECONDS = 5 * EMAIL_TIMEOUT
if PULSE_SEND_CLAIM_SECONDS < ONE_EMAIL_AT_MOST_SECONDS:
    raise ImproperlyConfigured(
        f"PULSE_SEND_CLAIM_SECONDS={PULSE_SEND_CLAIM_SECONDS} is shorter than one slow email "
        f"(5 x EMAIL_TIMEOUT = {ONE_EMAIL_AT_MOST_SECONDS:g} s): raise it, or lower EMAIL_TIMEOUT."
    )
if PULSE_SENDER_TIME_BUDGET_SECONDS + ONE_EMAIL_AT_MOST_SECONDS >= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"PULSE_SENDER_TIME_BUDGET_SECONDS={PULSE_SENDER_TIME_BUDGET_SECONDS} plus one slow email "
        f"(5 x EMAIL_TIMEOUT = {ONE_EMAIL_AT_MOST_SECONDS:g} s) must stay below "
        f"PULSE_TASK_SOFT_TIME_LIMIT={CELERY_TASK_SOFT_TIME_LIMIT}."
    )

# --- Org import ---------------------------------------------------------------------------
# The largest org file (CSV or JSON) the import reads: about 800,000 people. Larger files are
# refused before they are parsed.
PULSE_ORG_FILE_MAX_BYTES = int(os.environ.get("PULSE_ORG_FILE_MAX_BYTES", str(50 * 1024 * 1024)))

# --- API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # A token first: with no credentials at all, DRF answers 401 with the first class's
    # WWW-Authenticate scheme (Bearer). Basic auth counts against the login page's limits.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "teams.api_auth.ApiTokenAuthentication",
        "teams.api_auth.RateLimitedBasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "config.api_errors.ErrorAwareAutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
    # JSON with limits on size and depth (common.parsers); forms and uploads as DRF has them.
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # JSON only: DRF's browsable pages need inline style the CSP forbids; /api/docs/ is the
    # page for people.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Authenticated clients (scripts, integrations) get a generous but finite budget.
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("PULSE_API_USER_RATE", "600/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pulse API",
    "DESCRIPTION": "Anonymous psychological-safety pulse surveys.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the vendored sidecar package: nothing loads from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # "status" names two choice sets: a release's and a commitment's.
    "ENUM_NAME_OVERRIDES": {"CommitmentStatusEnum": "surveys.models.CommitmentStatus"},
}

DEFAULT_EXCEPTION_REPORTER_FILTER = "pulse.log_redaction.AnswerSafeExceptionReporterFilter"

# --- Logging -----------------------------------------------------------------------------
# Answer links are redacted from every log record as it is created (pulse.log_redaction),
# whichever handler later writes it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Drop Django's own console handler: its records reach the root handler, printed once.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}
