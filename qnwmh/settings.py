"""qnwmh settings: one module, configured from the environment (see README)."""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from qnwmh.core.media_storage import media_storage
from qnwmh.env import envbool, envint, envints, envlist, local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QNWMH_VAR_DIR", BASE_DIR / "var"))

DEBUG = envbool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret_key(VAR_DIR)
# Earlier keys during a rotation: sessions, signatures and the encrypted TOTP secrets
# (accounts/encryption.py) made with them still open; `manage.py rotate_field_encryption`.
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "qnwmh.web",
    "qnwmh.audit",
    "qnwmh.units",
    "qnwmh.accounts",
    "qnwmh.notifications",
    "qnwmh.workflow",
    "qnwmh.jobs",
    "qnwmh.cycles",
    "qnwmh.collectives",
    "qnwmh.titles",
    "qnwmh.registrations",
    "qnwmh.reporting",
    "qnwmh.backup",
]

MIDDLEWARE = [
    "qnwmh.core.middleware.ServedByMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "qnwmh.core.middleware.BadInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qnwmh.audit.middleware.RequestContextMiddleware",
    "qnwmh.accounts.middleware.SessionPolicyMiddleware",
    "qnwmh.accounts.middleware.ForcePasswordChangeMiddleware",
    "qnwmh.accounts.middleware.TwoFactorSetupMiddleware",
    "qnwmh.accounts.middleware.PasswordAgeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "qnwmh.notifications.periodic.InProcessScheduleMiddleware",
]

ROOT_URLCONF = "qnwmh.urls"
WSGI_APPLICATION = "qnwmh.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "qnwmh" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qnwmh.web.context_processors.navigation",
                "qnwmh.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database: SQLite file in the checkout unless DATABASE_URL says otherwise -----------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Connections are kept for 60 s and checked before their first query in each request
# (CONN_HEALTH_CHECKS: one SELECT 1 per request on a kept connection), so a connection
# PostgreSQL dropped — a restart, a failover, pg_terminate_backend — is replaced, not a 500.
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            # WAL + IMMEDIATE: concurrent writers wait for the lock instead of failing.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # Tests use a file too, not the shared-cache in-memory database: the live server
            # of the browser test answers concurrent requests, which shared cache would meet
            # with "table is locked" where a real SQLite file in WAL mode simply waits.
            "TEST": {"NAME": os.path.join(tempfile.gettempdir(), f"qnwmh-test-{os.getpid()}.db")},
        }
    }
# A PostgreSQL read replica for reports: only code inside qnwmh.core.db_router.using_replica()
# reads from it; everything else, and every write, stays on "default".
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["qnwmh.core.db_router.ReplicaRouter"]
# PostgreSQL's JIT spent seconds compiling the dashboard's aggregate (docs/performance.md):
# these short OLTP queries never win it back.
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work: in-process unless REDIS_URL is set ------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
# A running job whose heartbeat (written with its progress) is older than this lost its worker:
# it is marked failed and may be restarted (qnwmh/jobs/recovery.py).
JOB_STALE_SECONDS = envint("JOB_STALE_SECONDS", 600)

# Periodic tasks (docs/deploy.md): `celery -A qnwmh beat` runs them with REDIS_URL; without it
# no beat runs, so the app runs the same schedule itself, at most once an hour per process
# (notifications/periodic.py), or cron runs `manage.py send_reminders`.
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "qnwmh.registrations.send_deadline_reminders",
        "schedule": 3600.0,
    },
    "review-digests": {
        "task": "qnwmh.registrations.send_review_digests",
        "schedule": 3600.0,
    },
    # The audit head anchored outside the table (audit/anchor.py, decision 012).
    "anchor-audit": {"task": "qnwmh.audit.tasks.anchor_audit", "schedule": 3600.0},
    # Jobs whose worker stopped marked failed (jobs/recovery.py).
    "reap-jobs": {"task": "qnwmh.jobs.reap_jobs", "schedule": 300.0},
}
# The reviewers' digest of registrations waiting for them covers windows of this length
# (registrations/digests.py); the schedule above runs it once per window.
REVIEW_DIGEST_SECONDS = envint("REVIEW_DIGEST_SECONDS", 3600)
PERIODIC_IN_PROCESS = envbool("PERIODIC_IN_PROCESS", not REDIS_URL)
PERIODIC_IN_PROCESS_SECONDS = envint("PERIODIC_IN_PROCESS_SECONDS", 3600)

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and security (等保 2.0 三级 application controls) ------------------------------
AUTH_USER_MODEL = "accounts.User"
# ModelBackend that reads the user's unit with the user (one query per page, not two). A session
# logged in under another backend path is not resumed: its holder logs in again.
AUTHENTICATION_BACKENDS = ["qnwmh.accounts.backends.UserWithUnitBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "qnwmh.accounts.validators.CharacterClassesValidator", "OPTIONS": {"required": 3}},
    {"NAME": "qnwmh.accounts.validators.NotContainingUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOCKOUT_MAX_FAILURES = envint("LOCKOUT_MAX_FAILURES", 5)
LOCKOUT_WINDOW_SECONDS = envint("LOCKOUT_WINDOW_SECONDS", 15 * 60)
LOCKOUT_DURATION_SECONDS = envint("LOCKOUT_DURATION_SECONDS", 15 * 60)
# A source address trying many accounts is throttled too (credential stuffing).
THROTTLE_MAX_FAILURES_PER_ADDRESS = envint("THROTTLE_MAX_FAILURES_PER_ADDRESS", 20)
API_TOKEN_TTL_SECONDS = envint("API_TOKEN_TTL_SECONDS", 8 * 3600)
AUDIT_RETENTION_DAYS = envint("AUDIT_RETENTION_DAYS", 183)
# The signed head of the audit chain, appended hourly and on every archive (audit/anchor.py):
# an append-only file (chattr +a) or a path on another machine; the key defaults to one derived
# from SECRET_KEY.
AUDIT_ANCHOR_PATH = Path(os.environ.get("AUDIT_ANCHOR_PATH", VAR_DIR / "audit-anchors.jsonl"))
AUDIT_ANCHOR_KEY = os.environ.get("AUDIT_ANCHOR_KEY", "")

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 30 * 60)  # idle timeout of non-admins
# The session and its UserSession row are written at most once per SESSION_TOUCH_SECONDS
# (accounts/middleware.py), not on every request: the idle limit has that resolution.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = envint("SESSION_TOUCH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = envint("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A strict Content-Security-Policy: only our own files, no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Behind TLS (production) every cookie is Secure and HSTS is on; plain HTTP on 127.0.0.1 is for
# the local demo only.
HTTPS = envbool("HTTPS", False)
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- names: a browser keeps such a cookie only if it is Secure, for Path=/ and without
    # Domain, so no other host (a sibling subdomain) can set or overwrite it. Over plain HTTP
    # browsers refuse the prefix: the demo server keeps the plain names.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Number of trusted proxies in front of the app: the client address is read from
# X-Forwarded-For only through them, never trusted from the client itself.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# --- i18n: Chinese first ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "qnwmh" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media: served by the app itself, no CDN -----------------------------------------
STATIC_URL = "/static/"
# Where collectstatic writes (and nginx reads); the loopback cluster keeps its own.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "qnwmh" / "static"]
# Uploaded and generated files: MEDIA_ROOT (shared by every server) or an S3-compatible bucket
# (MEDIA_STORAGE=s3, see qnwmh/core/media_storage.py and docs/deploy.md).
STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": "qnwmh.web.storage.StaticStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve app and vendored files even before `collectstatic` (tests, a fresh checkout).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# --- Several app servers behind a proxy (docs/deploy.md) ---------------------------------------
# Each gunicorn instance may name itself; the name goes out in an X-Served-By header.
APP_SERVER_NAME = os.environ.get("APP_SERVER_NAME", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Two-factor login, sessions and password age (issue 4, 等保 2.0 三级) -----------------------
# Admins must confirm TOTP after their first password change; collectives and judges may opt in.
ADMIN_TWO_FACTOR_REQUIRED = envbool("ADMIN_TWO_FACTOR_REQUIRED", True)
# Idle timeout of admins' sessions (others: SESSION_IDLE_SECONDS above).
ADMIN_SESSION_IDLE_SECONDS = envint("ADMIN_SESSION_IDLE_SECONDS", 15 * 60)
# Admins are prompted (not forced) to change a password older than this.
ADMIN_PASSWORD_PROMPT_DAYS = envint("ADMIN_PASSWORD_PROMPT_DAYS", 90)
# How long the login page waits for the second step (the code) after a right password.
LOGIN_CODE_STEP_SECONDS = envint("LOGIN_CODE_STEP_SECONDS", 5 * 60)

# --- E-mail and notifications ------------------------------------------------------------------
# Notifications are e-mailed only when a mail backend is configured: SMTP when EMAIL_HOST is set,
# or the one EMAIL_BACKEND names (`make run`: console, printed where the server runs); otherwise
# they stay in the in-app inbox only. The environment's EMAIL_* variables become Django 6.1's
# MAILERS (its EMAIL_* settings are deprecated).
_EMAIL_BACKENDS = {
    name: f"django.core.mail.backends.{name}.EmailBackend"
    for name in ("smtp", "console", "locmem", "filebased", "dummy")
}
_email_host = os.environ.get("EMAIL_HOST", "")
_email_backend = os.environ.get("EMAIL_BACKEND", "") or ("smtp" if _email_host else "")
if _email_backend:
    _backend = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
    _options = {}
    if _backend == _EMAIL_BACKENDS["smtp"]:
        _options = {
            "host": _email_host or "localhost",
            "port": envint("EMAIL_PORT", 25),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": envbool("EMAIL_USE_TLS", False),
            "use_ssl": envbool("EMAIL_USE_SSL", False),
            "timeout": envint("EMAIL_TIMEOUT", 10),
        }
    MAILERS = {"default": {"BACKEND": _backend, "OPTIONS": _options}}
# Without a backend no mailer is defined and nothing is sent (mail.py checks this first).
NOTIFICATIONS_EMAIL = _email_backend not in ("", "dummy", _EMAIL_BACKENDS["dummy"])
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qnwmh@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address the system is reached at, e.g. https://qnwmh.example.cn: links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "")
# Reminders before a cycle's registration deadline, in days before it (registrations/reminders.py).
DEADLINE_REMINDER_DAYS = envints("DEADLINE_REMINDER_DAYS", [3, 1])
