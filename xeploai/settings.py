"""Settings, read from the environment through small typed helpers (STYLE.md 16)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

import django_stubs_ext

from xeploai.core.csp import CSP, source_hash
from xeploai.core.private import private_directory, private_file, tighten, write_once

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent


class SettingError(Exception):
    pass


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingError(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingError(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url: str, data_dir: Path) -> dict[str, object]:
    """A DATABASES entry from `sqlite:///path` or `postgres://user@host:port/name`."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as everywhere else.
        path = unquote(parts.path[1:])
        return sqlite_database(Path(path) if path else data_dir / "xeploai.sqlite3")
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            # No JIT compilation: it costs each large report or counting query 0.3-2.5 s of
            # compiling and gained nothing measured on the nation (BENCHMARKS.md).
            "OPTIONS": {"pool": True, "options": "-c jit=off"},
            "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME") or None},
        }
    raise SettingError(f"DATABASE_URL: unsupported scheme {parts.scheme!r} (sqlite or postgres)")


def sqlite_database(path: Path) -> dict[str, object]:
    """The database file created private before SQLite opens it (core/private.py); test
    databases, which Django creates anew, are made private as they are opened (core/db.py)."""
    if not path.parent.exists():
        private_directory(path.parent)
    private_file(path)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # Tests run on a file too, not in memory, so that the browser tests' server threads
        # write with the same WAL and busy timeout as production does.
        "TEST": {"NAME": str(path.with_name(f"test_{path.name}"))},
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # WAL lets readers go on while one writer writes; case_sensitive_like lets
            # `path LIKE 'prefix%'` (subtree queries) use the index on the unit path.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                " PRAGMA case_sensitive_like=ON; PRAGMA foreign_keys=ON;"
            ),
        },
    }


# The database, the keys, uploads and caches: for the owner only.
DATA_DIR = private_directory(Path(os.environ.get("XEPLOAI_DATA_DIR") or Path.cwd() / "data"))


# The keys this start generated, there being none: a restore may write the archive's over them.
KEYS_GENERATED: list[str] = []


def secret_key(name: str, directory: Path) -> str:
    """A key from the environment, or one generated once and kept in a private file."""
    if key := os.environ.get(name):
        return key
    path = directory / name.lower()
    if not path.exists():
        KEYS_GENERATED.append(name)
        return write_once(path, secrets.token_urlsafe(50)).strip()
    tighten(path, 0o600)
    return path.read_text().strip()


SECRET_KEY = secret_key("SECRET_KEY", DATA_DIR)
# Keys the level history's hash chain (R33); kept apart from SECRET_KEY, which may rotate, and
# outside the database, so that rows rewritten there cannot be given matching hashes.
HISTORY_KEY = secret_key("HISTORY_KEY", DATA_DIR)
# The seals of the level history: one line per seal, appended, the anchor that rows deleted or
# rolled back in the database are measured against. Keep it where the database's users cannot
# write (another machine, write-once storage) and back it up with the keys.
HISTORY_SEALS = Path(os.environ.get("HISTORY_SEALS") or DATA_DIR / "history_seals")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
# The reverse proxy's own addresses: only from these is the client's address in X-Real-IP
# believed (core.middleware.ProxiedAddressMiddleware; docs/deploy.md).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "template_partials",
    "simple_history",
    "django_tasks",
    "xeploai.core.apps.TasksConfig",  # django_tasks_db, headed in Vietnamese in the admin
    "xeploai.core",
    "xeploai.units",
    "xeploai.members",
    "xeploai.cycles",
    "xeploai.accounts",
    "xeploai.reviews",
    "xeploai.imports",
    "xeploai.reports",
    "xeploai.oversight",
    "xeploai.integrity",
    "xeploai.demo",
]

MIDDLEWARE = [
    "xeploai.core.middleware.ProxiedAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files carry no policy, and need none.
    "xeploai.core.csp.ContentSecurityPolicyMiddleware",
    # Pages compressed on the way out; static files were compressed once by collectstatic and
    # are answered above, by WhiteNoise. Against BREACH, Django masks the CSRF token afresh in
    # each response and pads what it gzips by a random length.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Needs the user (larger bodies are for a signed-in user); before any process_view, where
    # the CSRF check reads the body.
    "xeploai.core.middleware.RequestSizeMiddleware",
    "xeploai.core.middleware.PrivateCacheMiddleware",
    "xeploai.core.middleware.BusyDatabaseMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every page waits for the second factor the session owes (accounts/middleware.py).
    "xeploai.accounts.middleware.SecondFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "xeploai.urls"
WSGI_APPLICATION = "xeploai.wsgi.application"

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
FORM_RENDERER = "xeploai.core.widgets.WidgetRenderer"  # widgets drawn with Jinja2

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'xeploai.sqlite3'}", DATA_DIR
    )
}
# A read replica of a PostgreSQL primary, for the reports (core/replica.py, docs/scale.md).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **database_from_url(os.environ["DATABASE_REPLICA_URL"], DATA_DIR),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["xeploai.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "units:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Reminders (`xeploai reminders`): printed to the console unless an SMTP host is set.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", default=False)  # STARTTLS, port 587
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", default=False)  # TLS from the start, port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise SettingError("EMAIL_USE_TLS and EMAIL_USE_SSL: set one of them, not both")
EMAIL_TIMEOUT = 30  # seconds: a mail server that does not answer does not hold a worker
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "xeploai@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Every page's Content-Security-Policy (core/csp.py, the shape of Django 6's SECURE_CSP): no
# inline script, no eval (htmx is told not to, in base.html), scripts and stylesheets from
# this site only. The report's charts are matplotlib's inline SVG, painted by style
# attributes and one <style> of fixed text: those are allowed, no other inline style.
CHART_STYLE = "*{stroke-linejoin: round; stroke-linecap: butt}"
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, source_hash(CHART_STYLE)],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CSP_REPORT_ONLY: dict[str, list[str]] = {}
if not DEBUG and envbool("HTTPS", False):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["xeploai.formats"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
MEDIA_ROOT = DATA_DIR / "uploads"  # import files; never served
# Uploaded import files are deleted once their import has run; those a stopped worker left
# behind, after this many days (by the worker after each import, and `xeploai purge_uploads`).
IMPORT_UPLOAD_DAYS = envint("IMPORT_UPLOAD_DAYS", 7)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Request bodies (core.middleware.RequestSizeMiddleware) are refused by the length they
# announce, before anything reads them: a few megabytes everywhere (Django's own limit on a
# form's fields is 2.5 MB), more only for a signed-in user's import upload. Keep the reverse
# proxy's limits the same (docs/deploy.md). A file above FILE_UPLOAD_MAX_MEMORY_SIZE waits
# on disk in the data directory, not in /tmp (often memory), and is moved from there.
MB = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * MB + MB // 2
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * MB + MB // 2
FILE_UPLOAD_TEMP_DIR = private_directory(DATA_DIR / "tmp")
REQUEST_MAX_SIZE = 4 * MB
IMPORT_UPLOAD_MAX_SIZE = envint("IMPORT_UPLOAD_MAX_MB", 200) * MB
REQUEST_MAX_SIZE_BY_ROUTE = {"imports:index": IMPORT_UPLOAD_MAX_SIZE}

# Background work (imports) runs in `xeploai db_worker`, queued in the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The cache carries an import's progress from the worker to the page: the import's own
# writes stay invisible until its transaction ends. Files work for one machine; set
# CACHES to a shared cache (Redis) when workers run on several.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": DATA_DIR / "cache",
    }
}
# `collectstatic` names each file by a hash of its content and writes it gzipped and brotli'd
# beside it; WhiteNoise sends those names with a year's cache (`immutable`). Pages name their
# files through the manifest: run `xeploai collectstatic` after each install or upgrade (the
# demo and the test suite do it themselves).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
AUTH_USER_MODEL = "accounts.User"
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Xếp loại"
CSRF_FAILURE_VIEW = "xeploai.core.views.csrf_failure"
