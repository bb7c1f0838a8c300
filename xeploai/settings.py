"""Settings, read from the environment through small typed helpers (STYLE.md 16)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

import django_stubs_ext

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
            "OPTIONS": {"pool": True},
            "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME") or None},
        }
    raise SettingError(f"DATABASE_URL: unsupported scheme {parts.scheme!r} (sqlite or postgres)")


def sqlite_database(path: Path) -> dict[str, object]:
    path.parent.mkdir(parents=True, exist_ok=True)
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


DATA_DIR = Path(os.environ.get("XEPLOAI_DATA_DIR") or Path.cwd() / "data")


def secret_key(name: str = "SECRET_KEY") -> str:
    """A key from the environment, or one generated once and kept in the data directory."""
    if key := os.environ.get(name):
        return key
    path = DATA_DIR / name.lower()
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = secret_key()
# Keys the level history's hash chain (R33); kept apart from SECRET_KEY, which may rotate, and
# outside the database, so that rows rewritten there cannot be given matching hashes.
HISTORY_KEY = secret_key("HISTORY_KEY")
# The seals of the level history: one line per seal, appended, the anchor that rows deleted or
# rolled back in the database are measured against. Keep it where the database's users cannot
# write (another machine, write-once storage) and back it up with the keys.
HISTORY_SEALS = Path(os.environ.get("HISTORY_SEALS") or DATA_DIR / "history_seals")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

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
    "xeploai.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed on the way out; static files were compressed once by collectstatic and
    # are answered above, by WhiteNoise. Against BREACH, Django masks the CSRF token afresh in
    # each response and pads what it gzips by a random length.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
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

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'xeploai.sqlite3'}", DATA_DIR
    )
}
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
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "xeploai@localhost")

SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
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
CSRF_FAILURE_VIEW = "xeploai.core.views.csrf_failure"
