"""Settings, all from the environment, with safe defaults for the embedded single-machine run.

Embedded default: SQLite, kombu's filesystem broker and files under ``var/``. Production sets
DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), OBS_* (object storage) and SECRET_KEY.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var")).resolve()
# var/ holds the keys, the SQLite database (sessions, password hashes), the broker's messages, uploads
# and the local OBS's data: the owner's alone. An older var/ made with the umask's 0755 is tightened.
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
if VAR_DIR.stat().st_uid == os.getuid() and VAR_DIR.stat().st_mode & 0o077:
    VAR_DIR.chmod(0o700)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _generated_secret(file_name: str, make: Callable[[], str]) -> str:
    """A secret generated once into var/ (never committed) so restarts keep sessions and ciphertexts."""
    path = VAR_DIR / file_name
    if not path.exists():
        # Written in full to a file that is 0600 from its creation, then linked into place: the key is
        # never readable by others, and a process starting alongside (web, worker) sees the whole key
        # or none (the link fails if it won the race, and its key is the one kept).
        draft = VAR_DIR / f".{file_name}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(make())
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
        finally:
            draft.unlink(missing_ok=True)
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a key written by an older version, before it was made 0600 from the start
    return path.read_text().strip()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


SECRET_KEY = os.environ.get("SECRET_KEY") or _generated_secret(
    "secret_key", lambda: secrets.token_urlsafe(50)
)
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY") or _generated_secret("field_key", _fernet_key)

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [
    h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the Swagger UI's files, served from /static/ (no CDN)
    "axes",  # login lockout after repeated failures (see AXES_* below)
    "factory.workspaces",
    "factory.connections",
    "factory.development",
    "factory.transfer",
    "factory.promotion",
    "factory.api",
    "factory.dataarts",
    "factory.demo",  # the demo workspace (seed_demo)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "factory.api.security.ContentSecurityPolicyMiddleware",  # outermost but one: every answer gets one
    "factory.api.security.RequestSizeLimitMiddleware",  # before anything reads a body
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a locked-out login into factory.api.accounts.lockout's answer
]
# Axes' backend comes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "factory.api.accounts.lockout.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "factory.urls"
WSGI_APPLICATION = "factory.wsgi.application"

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
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker) share the file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Uploads and export artifacts go through Django's default storage: the local filesystem in the embedded
# run, an OBS bucket when OBS_BUCKET is set, so that workers on other machines read the same files.
OBS_ENDPOINT = os.environ.get("OBS_ENDPOINT", "")
OBS_ACCESS_KEY_ID = os.environ.get("OBS_ACCESS_KEY_ID", "")
OBS_SECRET_ACCESS_KEY = os.environ.get("OBS_SECRET_ACCESS_KEY", "")
OBS_REGION = os.environ.get("OBS_REGION", "us-east-1")
OBS_BUCKET = os.environ.get("OBS_BUCKET", "")
# The console's own files (uploads, Download Center packages) in OBS_BUCKET: no user path may reach them.
OBS_STORAGE_PREFIX = os.environ.get("OBS_STORAGE_PREFIX", "console").strip("/")
OBS_CONNECT_TIMEOUT = env_int("OBS_CONNECT_TIMEOUT", 5)
OBS_READ_TIMEOUT = env_int("OBS_READ_TIMEOUT", 60)
OBS_MAX_ATTEMPTS = env_int("OBS_MAX_ATTEMPTS", 3)

STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if OBS_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": OBS_BUCKET,
            "endpoint_url": OBS_ENDPOINT or None,
            "access_key": OBS_ACCESS_KEY_ID,
            "secret_key": OBS_SECRET_ACCESS_KEY,
            "region_name": OBS_REGION,
            "location": OBS_STORAGE_PREFIX,
            "file_overwrite": False,
            "default_acl": None,
        },
    }

# Upload limits at the web layer. Packages may be large; anything over the memory size streams to disk.
# factory.api.security.RequestSizeLimitMiddleware refuses (413) any request declaring more than
# PACKAGE_MAX_PACKED_BYTES + UPLOAD_FORM_OVERHEAD_BYTES (a multipart POST to the import upload route only),
# FILE_UPLOAD_MAX_MEMORY_SIZE (a multipart body anywhere else: kept in memory, never on disk) or
# DATA_UPLOAD_MAX_MEMORY_SIZE (any other body) before reading it, and an upload without Content-Length
# (411). Django itself bounds no multipart file, and answers an oversized JSON body with its HTML 400
# page.
PACKAGE_MAX_PACKED_BYTES = env_int("PACKAGE_MAX_PACKED_BYTES", 512 * 1024 * 1024)
PACKAGE_MAX_UNPACKED_BYTES = env_int("PACKAGE_MAX_UNPACKED_BYTES", 2 * 1024 * 1024 * 1024)
PACKAGE_MAX_ENTRIES = env_int("PACKAGE_MAX_ENTRIES", 100_000)
# One entry's uncompressed size (the manifest lists every entry: about 300 bytes each).
PACKAGE_MAX_ENTRY_BYTES = env_int("PACKAGE_MAX_ENTRY_BYTES", 64 * 1024 * 1024)
# Jobs (or scripts) one export may hold, the jobs its selection calls included.
EXPORT_MAX_OBJECTS = env_int("EXPORT_MAX_OBJECTS", 10_000)
# What one document of a package may cost to parse (factory.packages.limits.Limits says why these values):
# its size (job, script, resource, connection, environment; the manifest may add 1 KiB per entry), and the
# count and nesting depth of its JSON values, checked before it is parsed.
PACKAGE_MAX_DOCUMENT_BYTES = env_int("PACKAGE_MAX_DOCUMENT_BYTES", 8 * 1024 * 1024)
PACKAGE_MAX_JSON_VALUES = env_int("PACKAGE_MAX_JSON_VALUES", 1_000_000)
PACKAGE_MAX_JSON_DEPTH = env_int("PACKAGE_MAX_JSON_DEPTH", 64)
UPLOAD_FORM_OVERHEAD_BYTES = env_int("UPLOAD_FORM_OVERHEAD_BYTES", 64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Imports waiting for the user's choices keep their package in storage until applied, cancelled or expired
# (IMPORT_WAITING_TIMEOUT seconds): a new import is refused while a user, or a workspace, has this many.
IMPORT_MAX_WAITING_PER_USER = env_int("IMPORT_MAX_WAITING_PER_USER", 3)
IMPORT_MAX_WAITING_PER_WORKSPACE = env_int("IMPORT_MAX_WAITING_PER_WORKSPACE", 10)
IMPORT_WAITING_TIMEOUT = env_int("IMPORT_WAITING_TIMEOUT", 24 * 3600)

# Promotion to a remote console or DataArts Studio (factory.promotion.remote): the v1 API's connect and
# read timeouts, how long the remote import's system task is followed, and how often it is asked.
PROMOTION_REMOTE_CONNECT_TIMEOUT = env_int("PROMOTION_REMOTE_CONNECT_TIMEOUT", 10)
PROMOTION_REMOTE_READ_TIMEOUT = env_int("PROMOTION_REMOTE_READ_TIMEOUT", 120)
PROMOTION_REMOTE_WAIT_SECONDS = env_int("PROMOTION_REMOTE_WAIT_SECONDS", 1800)
PROMOTION_REMOTE_POLL_SECONDS = float(os.environ.get("PROMOTION_REMOTE_POLL_SECONDS") or 1.0)
# The hosts a remote promotion may reach (factory.promotion.endpoints): comma- or space-separated
# ``[http://]host[:port]`` entries, ``*.`` for any subdomain, ``:*`` for any port; https only unless the entry
# says http://; a loopback or private address only for a host named exactly. DataArts Studio by default.
PROMOTION_REMOTE_ENDPOINTS = os.environ.get("PROMOTION_REMOTE_ENDPOINTS", "*.myhuaweicloud.com")

# The cache carries what one process publishes for the others to read: the live progress of an import,
# written by the worker inside its one apply transaction (whose rows nobody sees before the commit) and read
# by the web processes. So it must be shared between processes: Redis when REDIS_URL is set, files under
# var/cache/ in the embedded single-machine run; never the per-process local-memory cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "factory"),
            # A Redis that is down must not hang an import or a poll: progress is best effort.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "factory"),
            # Past MAX_ENTRIES the file cache drops entries at random, the v1 API's record of used
            # signatures (factory.dataarts.replay) among them: room for 15 minutes of busy traffic.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# A data connection's Test (a PostgreSQL login for DWS and RDS, a TCP connect otherwise) gives up after this.
CONNECTION_TEST_TIMEOUT_SECONDS = env_int("CONNECTION_TEST_TIMEOUT_SECONDS", 5)

# Exports of more jobs than this run as a Celery task and land in the Download Center.
EXPORT_SYNC_MAX_JOBS = env_int("EXPORT_SYNC_MAX_JOBS", 200)

# Celery: Redis when CELERY_BROKER_URL is set, kombu's filesystem transport under var/ otherwise.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("in", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "in"),
        "data_folder_out": str(_broker_dir / "in"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "factory")
CELERY_TASK_IGNORE_RESULT = True  # task state lives in SystemTask rows, not a result backend
CELERY_TASK_ACKS_LATE = True  # safe: every task checks its SystemTask row first (idempotent)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process grown past this many kB by a task is replaced once the task is done: a large package's
# inspection leaves a heap fragmented by millions of small objects that malloc never gives back, and the
# apply that follows then starts from a fresh process instead of on top of it.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 160_000)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 3600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 3300)
if not CELERY_BROKER_URL.startswith("filesystem://"):
    # Redis redelivers an unacknowledged message (acks_late) after visibility_timeout: it must outlast
    # the longest a task may run, or a long import would be delivered again while it still runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 300}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "factory.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "factory.api.pagination.Pagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Job development console API",
    "DESCRIPTION": "The console's REST API: workspaces, the job directory, jobs, scripts, versions, "
    "locks, export and import.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",  # drf-spectacular-sidecar's copy under /static/, not a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No validator badge: Swagger UI would send the schema's address to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models share field names such as ``kind`` and ``status``: name their enums explicitly.
    "ENUM_NAME_OVERRIDES": {
        "VersionKindEnum": "factory.development.models.VersionKind",
        "DirectoryCategoryEnum": "factory.development.models.Category",
        "ScheduleStatusEnum": "factory.development.models.ScheduleStatus",
        "ResourceTypeEnum": "factory.development.models.ResourceType",
        "ConnectionTypeEnum": "factory.connections.models.ConnectionType",
        "ExternalObjectKindEnum": "factory.connections.models.ExternalObjectKind",
        "TaskStatusEnum": "factory.transfer.models.TaskStatus",
        "TaskKindEnum": "factory.transfer.models.TaskKind",
        "LockPolicyEnum": "factory.workspaces.models.LockPolicy",
        "RoleEnum": "factory.workspaces.models.Role",
        "TransferCategoryEnum": ["job", "script"],
        "CategoryValuesEnum": ["job", "script", "resource"],
        "ProfileTargetKindEnum": "factory.promotion.models.TargetKind",
        "ProfileLockPolicyEnum": "factory.promotion.models.LockPolicy",
        "ProfileMappingKindEnum": "factory.promotion.specs.MAPPING_KINDS",
        "PromotionStateEnum": "factory.promotion.models.PromotionState",
    },
    # The error envelope and its codes, which no view declares (factory.api.errors).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "factory.api.errors.schema_components",
    ],
}

# Security headers; the production values are switched on by HTTPS=1.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # the single-page app reads it to send X-CSRFToken
CSRF_COOKIE_SAMESITE = "Lax"
# The Content-Security-Policy of HTML pages (factory.api.security.ContentSecurityPolicyMiddleware; other
# answers get "default-src 'none'", the Swagger UI page what it needs). Styles may be inline: React Flow
# positions nodes with inline styles. Workers from blob: URLs: the version diff computes off the main thread.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Login lockout (django-axes): after AXES_FAILURE_LIMIT failed logins for one username from one address,
# that pair is refused for AXES_COOLOFF_MINUTES (the /login/ page, /admin/login/, /api/session/login/),
# with factory.api.accounts.lockout's answer; `manage.py axes_reset` clears it. A success clears the count.
# Behind a reverse proxy the address is the client's only when LOGIN_LOCKOUT_PROXY_COUNT says how many
# proxies append to X-Forwarded-For (0: REMOTE_ADDR, the direct peer).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15)) or None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "factory.api.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "factory.api.accounts.lockout.client_address"
LOGIN_LOCKOUT_PROXY_COUNT = env_int("LOGIN_LOCKOUT_PROXY_COUNT", 0)
AXES_HTTP_RESPONSE_CODE = 429
# Quiet: no start-up banner (commands' stderr stays theirs) and no line per successful login; a lockout is
# still logged, as a warning.
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS: list[str] = []
if env_bool("HTTPS", False):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips any the client sent).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading commits the whole domain to HTTPS for months: an operator's decision, off by default.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
