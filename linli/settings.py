"""Linli settings: everything that differs between machines comes from the environment."""

import importlib.util
import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LINLI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEV_SECRET_KEY = "linli-dev-insecure-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules

# Production (DEBUG off) must never run with the published development key.
if not DEBUG and not TESTING and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
        "(or DEBUG=1 for development)."
    )

# Personal data is encrypted at rest (PEOPLE-2); production must bring its own keys.
if not DEBUG and not TESTING:
    for _name in ("LINLI_DATA_KEYS", "LINLI_INDEX_KEY"):
        if not os.environ.get(_name):
            raise ImproperlyConfigured(
                f"{_name} is not set: personal data needs encryption keys "
                "(see README, 'Encryption keys')."
            )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "linli.core",
    "linli.accounts",
    "linli.geo",
    "linli.people",
    "linli.casework",
    "linli.ledger",
    "linli.care",
    "linli.mediation",
    "linli.deliberation",
    "linli.matching",
    "linli.evaluation",
    "linli.station",
    "linli.fieldwork",
    "linli.demo",
    "linli.simulate",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "linli.core.middleware.ChineseFirstLocaleMiddleware",
    "linli.core.middleware.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "linli.core.middleware.PrivateByDefaultMiddleware",
    "linli.core.middleware.ElderModeMiddleware",
    "linli.core.middleware.ApplicationErrorPageMiddleware",
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "linli" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "linli.core.context_processors.linli",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'linli.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Behind PgBouncer in transaction pooling mode (README, "Running with PostgreSQL"): each
# transaction may run on another server connection, so nothing may outlive one. Django's
# .iterator() would otherwise DECLARE a WITH HOLD cursor in one transaction and FETCH it in
# the next; psycopg's prepared statements stay off (Django's default, prepare_threshold None).
DB_TRANSACTION_POOLING = env_bool("DB_TRANSACTION_POOLING", False)

# A streaming replica for reads that tolerate a second's lag (linli/core/replica.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
LINLI_REPLICA_PIN_SECONDS = int(os.environ.get("LINLI_REPLICA_PIN_SECONDS", "5"))
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read what they wrote
    DATABASE_ROUTERS = ["linli.core.replica.ReplicaRouter"]
    MIDDLEWARE.append("linli.core.replica.ReplicaPinMiddleware")
for _alias in DATABASES.values():
    if DB_TRANSACTION_POOLING and _alias["ENGINE"] == "django.db.backends.postgresql":
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

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

# Every entrance's password check (login page, admin) counts failures and honours the lock.
AUTHENTICATION_BACKENDS = ["linli.accounts.backends.LockoutBackend"]
# Lockout after repeated failed logins (per account).
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "linli" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "linli" / "static"]
# Leaflet as django-leaflet ships it (leaflet/leaflet.js, .css): served with ours, no CDN.
_leaflet = importlib.util.find_spec("leaflet")
if _leaflet is not None and _leaflet.submodule_search_locations:
    STATICFILES_DIRS.append(Path(list(_leaflet.submodule_search_locations)[0]) / "static")

# Street tiles under the grid map (e.g. 天地图 vec_w + cva_w), optional: without them the
# labelled vector map works offline. URL templates in Leaflet's {s}/{z}/{x}/{y} form,
# "|"-separated for stacked layers; LINLI_MAP_CRS says which datum the tiles are drawn in
# ("wgs84": 天地图/CGCS2000, OpenStreetMap; "gcj02": Amap, Tencent); Linli stores WGS84.
LINLI_MAP_TILES = [u for u in os.environ.get("LINLI_MAP_TILES", "").split("|") if u.strip()]
LINLI_MAP_SUBDOMAINS = os.environ.get("LINLI_MAP_SUBDOMAINS", "01234567")
LINLI_MAP_ATTRIBUTION = os.environ.get("LINLI_MAP_ATTRIBUTION", "")
LINLI_MAP_CRS = os.environ.get("LINLI_MAP_CRS", "wgs84")
if LINLI_MAP_CRS not in ("wgs84", "gcj02"):
    raise ImproperlyConfigured("LINLI_MAP_CRS must be wgs84 or gcj02")


def _tile_origins(urls: list[str], subdomains: str) -> list[str]:
    """The tile hosts the page may load images from (CSP img-src)."""
    origins: list[str] = []
    for url in urls:
        if "://" not in url:
            continue
        scheme, rest = url.split("://", 1)
        host = rest.split("/", 1)[0]
        hosts = [host.replace("{s}", s) for s in subdomains] if "{s}" in host else [host]
        origins += [f"{scheme}://{h}" for h in hosts if f"{scheme}://{h}" not in origins]
    return origins


MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Pluggable outbound senders (CASE-8): dotted paths to classes with send(message).
LINLI_SMS_SENDER = os.environ.get("LINLI_SMS_SENDER", "linli.core.senders.LoggingSender")
LINLI_EMAIL_SENDER = os.environ.get("LINLI_EMAIL_SENDER", "linli.core.senders.LoggingSender")

# Data-access audit report (PEOPLE-4): when access is flagged as unusual.
# The numbers the report page offers before anything else (gas, burst main, fire): per city,
# "number=label;number=label".
# The defaults' labels are marked for translation (the page translates what it can).
LINLI_EMERGENCY_CALLS = [
    tuple(item.split("=", 1))
    for item in os.environ.get("LINLI_EMERGENCY_CALLS", "").split(";")
    if "=" in item
] or [
    ("119", gettext_noop("火警、燃气泄漏")),
    ("120", gettext_noop("急救")),
    ("110", gettext_noop("报警")),
    ("12345", gettext_noop("市民热线(停水、爆管)")),
]
# Care readings: raw readings kept this many months before the current one (whole months;
# `manage.py care_retention` drops older ones after rolling them up by hour); 0 = for ever.
CARE_READINGS_KEEP_MONTHS = int(os.environ.get("CARE_READINGS_KEEP_MONTHS", "13"))
LINLI_AUDIT_BULK_COUNT = int(os.environ.get("LINLI_AUDIT_BULK_COUNT", "30"))
LINLI_AUDIT_BULK_MINUTES = int(os.environ.get("LINLI_AUDIT_BULK_MINUTES", "10"))
LINLI_AUDIT_LIST_COUNT = int(os.environ.get("LINLI_AUDIT_LIST_COUNT", "300"))
LINLI_AUDIT_WORK_HOURS = os.environ.get("LINLI_AUDIT_WORK_HOURS", "08:00-18:00")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "linli": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        # Django's own config prints only with DEBUG on: a 500's traceback must reach the log
        # in production too. Warnings (each 4xx) would drown it, so errors only.
        "django": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
# Scripts only from here, or inline with the response's nonce (the report page's map);
# inline style attributes stay allowed (they cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *_tile_origins(LINLI_MAP_TILES, LINLI_MAP_SUBDOMAINS)],
        "object-src": ["'none'"],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
    }
}

CSRF_FAILURE_VIEW = "linli.core.views.csrf_failure"
