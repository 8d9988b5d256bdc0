"""Django settings for Yingji, read from the environment.

Environment variables (all optional):
  DATABASE_URL        database, default: SQLite file in the data directory
  DATABASE_REPLICA_URL  a streaming read replica of a PostgreSQL DATABASE_URL (optional; the
                      "replica" alias for pure reads through yingji.core.db, docs/deploy.md)
  YINGJI_DATA_DIR     where the SQLite file, uploads and generated files live (default ./var)
  SECRET_KEY          secret key; a stable random key is generated in the data dir when absent
  YINGJI_AUDIT_KEY    key of the audit log's hash chain; generated once in the data dir when absent
  ALLOWED_HOSTS       comma-separated, default "127.0.0.1,localhost,[::1],testserver"
  YINGJI_DEBUG        "1" for Django debug pages (never in production)
  YINGJI_HTTPS        "1": cookies always Secure (they are Secure on every HTTPS request anyway)
  YINGJI_TRUST_X_FORWARDED_PROTO  "1" behind a TLS proxy that sets X-Forwarded-Proto
  YINGJI_PROFILE      deployment profile: fuxin (default), benxi, kaiyuan (docs/profiles.md)
  YINGJI_FEED_ALLOWED_HOSTS  comma-separated host names that CAP feeds may fetch from although they
                      resolve to an internal address (default: none; see core/outbound.py)
"""

from __future__ import annotations

import os
import secrets
import sys
import tomllib
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("YINGJI_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def profile_root(name: str) -> str:
    """The root division of a profile file (read directly: the full profile loads the boundaries)."""
    path = BASE_DIR / "yingji" / "profiles" / f"{name.strip().lower()}.toml"
    if not name.strip().isidentifier() or not path.is_file():
        raise ImproperlyConfigured(f"YINGJI_PROFILE：没有名为 {name} 的档案（yingji/profiles/*.toml）")
    return tomllib.loads(path.read_text(encoding="utf-8"))["root"]


def _secret_key(env: str = "SECRET_KEY", filename: str = "secret_key") -> str:
    if os.environ.get(env):
        return os.environ[env]
    key_file = DATA_DIR / filename
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Key of the audit log's hash chain (HMAC): kept apart from SECRET_KEY so that rotating the session
# key does not invalidate the chain; every process writing to one database must share it.
YINGJI_AUDIT_KEY = _secret_key("YINGJI_AUDIT_KEY", "audit_chain_key")
DEBUG = os.environ.get("YINGJI_DEBUG") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "ninja",  # its Swagger UI files, served locally for /api/v1/docs (never from a CDN)
    "django_tasks",  # Django's Tasks interface (backport of django.tasks), docs/architecture.md
    "django_tasks_db",  # its database backend: the embedded default queue
    "yingji.core",
    "yingji.regions",
    "yingji.accounts",
    "yingji.audit",
    "yingji.live",
    "yingji.jobs",
    "yingji.resources",
    "yingji.duty",
    "yingji.incidents",
    "yingji.hazards",
    "yingji.monitoring",
    "yingji.warnings",
    "yingji.command",
    "yingji.disasters",
    "yingji.preparedness",
    "yingji.enforcement",
    "yingji.credit",
    "yingji.affairs",
    "yingji.exchange",
    "yingji.social",
    "yingji.ops",
    "yingji.web",
]

# Background tasks (yingji.jobs over Django's Tasks interface; docs/deploy.md "Background tasks"):
# the database backend by default (embedded: the web process runs a worker thread), or RQ on Redis
# with YINGJI_TASKS=rq and YINGJI_REDIS_URL (then `yingji worker` processes run the tasks).
YINGJI_TASKS = os.environ.get("YINGJI_TASKS", "database")
if YINGJI_TASKS == "rq":
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": os.environ.get("YINGJI_REDIS_URL") or "redis://127.0.0.1:6379/0",
                             "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif YINGJI_TASKS == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(f"YINGJI_TASKS must be 'database' or 'rq', not {YINGJI_TASKS!r}")

MIDDLEWARE = [
    "yingji.core.middleware.MetricsMiddleware",  # times every request (Prometheus, docs/operations.md)
    "yingji.core.middleware.SecureCookiesMiddleware",  # outermost: sees the cookies every other one set
    "yingji.core.middleware.BodyLimitMiddleware",
    "yingji.core.middleware.NulCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "yingji.core.middleware.RequestContextMiddleware",
    "yingji.core.middleware.ReplicaPinMiddleware",  # read-your-writes with a read replica (core.db)
]

ROOT_URLCONF = "yingji.urls"
ASGI_APPLICATION = "yingji.asgi.application"
WSGI_APPLICATION = "yingji.wsgi.application"

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
                "yingji.web.context.navigation",
                "yingji.web.context.installation",
            ],
            "builtins": ["yingji.core.templatetags.capabilities", "yingji.web.templatetags.labels"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'yingji.sqlite3'}"),
        # No persistent connections: under ASGI each request's sync code runs in its own thread, and
        # a connection kept per thread piled up to PostgreSQL's 100-client limit during the browser
        # tests (Django's docs advise disabling them under ASGI). YINGJI_DB_POOL pools instead.
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("YINGJI_TEST_SQLITE", "")
elif os.environ.get("YINGJI_DB_POOL"):
    # PostgreSQL connection pool per process (Django's psycopg pool, psycopg-pool): "min,max"
    # connections, e.g. YINGJI_DB_POOL=2,8 (docs/deploy.md, "Connection pooling").
    _low, _, _high = os.environ["YINGJI_DB_POOL"].partition(",")
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": int(_low or 1), "max_size": int(_high or _low or 4)}
if os.environ.get("DATABASE_REPLICA_URL"):
    # A read replica (docs/deploy.md, "Read replica"): registry lists, exports, map layers, counts and
    # statistics read from it through yingji.core.db.for_reading; every write and every other read
    # stays on the primary (PrimaryRouter sends writes and migrations to "default").
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL 需要 PostgreSQL 主库（DATABASE_URL）")
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=0)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests: the test database itself
    if "pool" in DATABASES["default"].get("OPTIONS", {}):
        DATABASES["replica"].setdefault("OPTIONS", {})["pool"] = dict(DATABASES["default"]["OPTIONS"]["pool"])
    DATABASE_ROUTERS = ["yingji.core.db.PrimaryRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"

# Login throttling: this many failures for one username (or one address) within the window lock it.
YINGJI_LOGIN_MAX_FAILURES = int(os.environ.get("YINGJI_LOGIN_MAX_FAILURES", "5"))
YINGJI_LOGIN_LOCK_MINUTES = int(os.environ.get("YINGJI_LOGIN_LOCK_MINUTES", "15"))

# API tokens expire after this many days (they also die on password change, lock-out and deactivation).
YINGJI_TOKEN_DAYS = int(os.environ.get("YINGJI_TOKEN_DAYS", "90"))

# Largest CAP document accepted (upload, API push, feed); a larger one is refused unparsed.
# Installation exchange (docs/exchange.md): how often a child polls its parent, the longest back-off
YINGJI_EXCHANGE_POLL_SECONDS = float(os.environ.get("YINGJI_EXCHANGE_POLL_SECONDS", "30"))
YINGJI_EXCHANGE_MAX_BACKOFF_SECONDS = float(os.environ.get("YINGJI_EXCHANGE_MAX_BACKOFF_SECONDS", "600"))
YINGJI_CAP_MAX_BYTES = int(os.environ.get("YINGJI_CAP_MAX_BYTES", str(1024 * 1024)))

# CAP signatures: a PEM bundle of the certificates whose signatures count as valid; a message with
# an invalid signature is refused unless YINGJI_CAP_ACCEPT_INVALID_SIGNATURE=1.
YINGJI_CAP_TRUSTED_CERTS = os.environ.get("YINGJI_CAP_TRUSTED_CERTS", "")
YINGJI_CAP_ACCEPT_INVALID_SIGNATURE = os.environ.get("YINGJI_CAP_ACCEPT_INVALID_SIGNATURE") == "1"

# CAP feeds are fetched only from public addresses unless the host is allow-listed here (SSRF guard).
YINGJI_FEED_ALLOWED_HOSTS = [h.strip().lower() for h in os.environ.get("YINGJI_FEED_ALLOWED_HOSTS", "").split(",") if h.strip()]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"  # Django prefixes the script name
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
# Third-party browser assets come from npm at set-up (package.json) and are served locally.
STATICFILES_DIRS = [
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The OpenAPI document and its page at /api/v1/docs need a login (or a token) unless this is 1.
YINGJI_API_DOCS_PUBLIC = os.environ.get("YINGJI_API_DOCS_PUBLIC") == "1"

# Spreadsheet imports (core/upload_limits.py): file size, declared unzipped size, data rows.
YINGJI_IMPORT_MAX_BYTES = int(os.environ.get("YINGJI_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
YINGJI_IMPORT_MAX_UNZIPPED_BYTES = int(os.environ.get("YINGJI_IMPORT_MAX_UNZIPPED_BYTES", str(100 * 1024 * 1024)))
YINGJI_IMPORT_MAX_ROWS = int(os.environ.get("YINGJI_IMPORT_MAX_ROWS", "100000"))
# Training (docs/preparedness.md): exam pass mark out of 100, yearly person-times target (default: the
# profile's, Fuxin 8,000).
# Later years of the State Council holiday notices (TOML, docs/rules.md §4a; 2025 and 2026 are built in).
# Contraction hierarchies of a large road network (yingji.command.hierarchies): built by a background
# task after activation ("background"), or never ("off": matrices use the exact search).
YINGJI_ROAD_HIERARCHIES = os.environ.get("YINGJI_ROAD_HIERARCHIES", "background")
if YINGJI_ROAD_HIERARCHIES not in ("background", "off"):
    raise ImproperlyConfigured(f"YINGJI_ROAD_HIERARCHIES must be 'background' or 'off', not {YINGJI_ROAD_HIERARCHIES!r}")
YINGJI_HOLIDAY_FILE = os.environ.get("YINGJI_HOLIDAY_FILE", "")
YINGJI_EXAM_PASS_MARK = int(os.environ.get("YINGJI_EXAM_PASS_MARK", "80"))
YINGJI_TRAINING_YEARLY_TARGET = int(os.environ.get("YINGJI_TRAINING_YEARLY_TARGET", "0")) or None  # None: the profile's
# No request body above this is read at all (core.middleware.BodyLimitMiddleware, 413).
YINGJI_MAX_REQUEST_BYTES = int(os.environ.get("YINGJI_MAX_REQUEST_BYTES", str(30 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Security: cookies are HttpOnly and SameSite=Lax always, and Secure on every HTTPS request
# (core.middleware.SecureCookiesMiddleware; YINGJI_HTTPS=1 makes them Secure always). HSTS is sent
# on every HTTPS response (Django sends it only for secure requests). Behind a TLS-terminating
# proxy set YINGJI_TRUST_X_FORWARDED_PROTO=1 (the proxy must set X-Forwarded-Proto and strip it
# from clients) so that requests it forwarded over HTTPS count as secure.
HTTPS = os.environ.get("YINGJI_HTTPS") == "1"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts, images and connections from this
# server only — no inline script anywhere (pages declare behaviour with data attributes, see
# web/static/web/behaviours.js). Inline style attributes stay allowed (map library, SVG charts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_HSTS_SECONDS = 31536000
if HTTPS or os.environ.get("YINGJI_TRUST_X_FORWARDED_PROTO") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Deployment profile (docs/profiles.md): YINGJI_PROFILE, else the profile `yingji demo --profile`
# recorded in the data dir, else fuxin. YINGJI_PROFILE_CITY is the profile's root division (6 digits;
# a city, or a county-level city such as 211282); read it through yingji.core.profile.
# The test suite never reads the recorded file (a developer's `yingji demo --profile benxi` in ./var must
# not turn the Fuxin-based tests into Benxi ones); tests switch with yingji.core.profile.activate.
_RECORDED_PROFILE = DATA_DIR / "profile"
YINGJI_PROFILE = (os.environ.get("YINGJI_PROFILE") or (
    _RECORDED_PROFILE.read_text(encoding="utf-8").strip()
    if _RECORDED_PROFILE.is_file() and "pytest" not in sys.modules else "") or "fuxin")
YINGJI_PROFILE_CITY = os.environ.get("YINGJI_PROFILE_CITY") or profile_root(YINGJI_PROFILE)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("YINGJI_LOG_LEVEL", "WARNING")},
}
