"""Epiloop settings. All environment reading of the project lives in this file (django-environ).

Everything the gateway needs to survive a redeploy lives in the state directory
(`EPILOOP_STATE_DIR`, `/data` on Fly.io): the SQLite database, the generated secret key,
the generated gateway token, logs and agent workspaces.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VERSION = "2026.11.29"


def _state_dir() -> Path:
    raw = env.str("EPILOOP_STATE_DIR", default="") or "~/.epiloop"
    path = Path(raw).expanduser().resolve()
    try:
        # Owner only: it holds the database (conversations, pairing, encrypted keys), the
        # secret key and the gateway token. An existing dir keeps its mode: `doctor` flags a
        # loose one (W006) and `doctor --fix` tightens it.
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"EPILOOP_STATE_DIR={raw} cannot be created ({exc.strerror}); "
            "point it at a writable directory."
        ) from exc
    return path


def _config_path(state_dir: Path) -> tuple[Path, str]:
    """The config file and, when the legacy nested location was picked, a note to log."""
    explicit = env.str("EPILOOP_CONFIG_PATH", default="")
    if explicit:
        return Path(explicit).expanduser().resolve(), ""
    default = state_dir / "epiloop.json"
    nested = state_dir / ".epiloop" / "epiloop.json"
    if not default.exists() and nested.exists():
        return nested, f"using {nested} (found no {default}); move it there to silence this note"
    return default, ""


def _secret_key(state_dir: Path) -> str:
    given: str = env.str("DJANGO_SECRET_KEY", default="")
    if given:
        return given
    path = state_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


EPILOOP_STATE_DIR = _state_dir()
EPILOOP_CONFIG_PATH, EPILOOP_CONFIG_PATH_NOTE = _config_path(EPILOOP_STATE_DIR)
EPILOOP_LOG_DIR = EPILOOP_STATE_DIR / "logs"
EPILOOP_LOG_FORMAT = env.str("EPILOOP_LOG_FORMAT", default="text")
if EPILOOP_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(
        f"EPILOOP_LOG_FORMAT={EPILOOP_LOG_FORMAT!r} is not valid; use text or json."
    )

# Values that fill what epiloop.json leaves empty (the file wins).
EPILOOP_ENV = {
    "gateway_token": env.str("EPILOOP_GATEWAY_TOKEN", default=""),
    "gateway_password": env.str("EPILOOP_GATEWAY_PASSWORD", default=""),
    "gateway_port": env.str("EPILOOP_GATEWAY_PORT", default=""),
    "gateway_bind": env.str("EPILOOP_GATEWAY_BIND", default=""),
    "discord_bot_token": env.str("DISCORD_BOT_TOKEN", default=""),
    "telegram_bot_token": env.str("TELEGRAM_BOT_TOKEN", default=""),
    "discord_api_base": env.str("DISCORD_API_BASE", default=""),
    "discord_gateway_url": env.str("DISCORD_GATEWAY_URL", default=""),
    "telegram_api_root": env.str("TELEGRAM_API_ROOT", default=""),
    "anthropic_api_key": env.str("ANTHROPIC_API_KEY", default=""),
    "openai_api_key": env.str("OPENAI_API_KEY", default=""),
    "gemini_api_key": env.str("GEMINI_API_KEY", default="")
    or env.str("GOOGLE_API_KEY", default=""),
    "anthropic_base_url": env.str("ANTHROPIC_BASE_URL", default=""),
    "openai_base_url": env.str("OPENAI_BASE_URL", default=""),
    "fly_app_name": env.str("FLY_APP_NAME", default=""),
    "public_url": env.str("EPILOOP_PUBLIC_URL", default=""),
}
if EPILOOP_ENV["gateway_port"] and not EPILOOP_ENV["gateway_port"].isdigit():
    raise ImproperlyConfigured(
        f"EPILOOP_GATEWAY_PORT={EPILOOP_ENV['gateway_port']!r} is not a port number; "
        "use e.g. 18789."
    )
# Gateway protocol `tick` interval (30 s; tests shorten it).
EPILOOP_TICK_INTERVAL_MS = env.int("EPILOOP_TICK_INTERVAL_MS", default=30000)
EPILOOP_CONFIG_REVISIONS_KEEP = env.int("EPILOOP_CONFIG_REVISIONS_KEEP", default=200)
# The process environment, for `${VAR}` references in epiloop.json (resolved at use).
EPILOOP_ENVIRON = os.environ
# True inside a container (Fly.io, Docker): `--bind auto` then means 0.0.0.0.
EPILOOP_IN_CONTAINER = bool(EPILOOP_ENV["fly_app_name"]) or Path("/.dockerenv").exists()

SECRET_KEY = _secret_key(EPILOOP_STATE_DIR)
DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _public_origin() -> str:
    """`scheme://host[:port]` of EPILOOP_PUBLIC_URL, or "" when it is unset."""
    raw = EPILOOP_ENV["public_url"]
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(
            f"EPILOOP_PUBLIC_URL={raw!r} is not an http(s) URL; use e.g. https://epiloop.example.com"
        )
    return f"{parts.scheme}://{parts.netloc}"


PUBLIC_ORIGIN = _public_origin()
# Production: on Fly.io, or behind a proxy that serves EPILOOP_PUBLIC_URL over HTTPS.
PRODUCTION = bool(EPILOOP_ENV["fly_app_name"] or PUBLIC_ORIGIN)


def _hosts() -> list[str]:
    hosts: list[str] = env.list("EPILOOP_ALLOWED_HOSTS", default=[])
    if hosts:
        return hosts
    # The gateway answers on whatever address it is bound to (LAN IPs, tailnet names);
    # the gateway token is the gate. Production deployments pin hosts via Fly or public URL.
    if PRODUCTION:
        # localhost: the image's HEALTHCHECK and `fly proxy`. Fly's own checker sends the
        # VM's private address as Host; gateway.middleware answers /healthz before any host
        # validation, so that address need not be listed here.
        named = ["localhost", "127.0.0.1", "[::1]"]
        if EPILOOP_ENV["fly_app_name"]:
            # `.internal`: other apps of the organisation over the private network.
            named += [f"{EPILOOP_ENV['fly_app_name']}.fly.dev", ".internal"]
        if PUBLIC_ORIGIN:
            named.append(urlsplit(PUBLIC_ORIGIN).hostname or "localhost")
        return list(dict.fromkeys(named))
    return ["*"]


def _csrf_origins() -> list[str]:
    """The origins browsers use to reach the admin: the public ones, plus https:// of each
    explicitly allowed host."""
    origins = [
        f"https://{h}"
        for h in env.list("EPILOOP_ALLOWED_HOSTS", default=[])
        if h != "*" and not h.startswith(".")
    ]
    if EPILOOP_ENV["fly_app_name"]:
        origins.append(f"https://{EPILOOP_ENV['fly_app_name']}.fly.dev")
    if PUBLIC_ORIGIN:
        origins.append(PUBLIC_ORIGIN)
    return list(dict.fromkeys(origins))


ALLOWED_HOSTS = _hosts()
CSRF_TRUSTED_ORIGINS = _csrf_origins()

# Daphne is not an installed app: only rungateway imports it (gateway/server.py), so other
# commands start without Twisted.
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "servestatic.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "config",
    "gateway",
    "agents",
    "channels_app",
]

MIDDLEWARE = [
    "gateway.middleware.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "epiloop_site.urls"
ASGI_APPLICATION = "epiloop_site.asgi.application"

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

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "gateway.auth.GatewayTokenBackend",
]


def _private_sqlite_file(name: str) -> None:
    """Create the SQLite database file, owner-only (0600), before SQLite does.

    SQLite would create it with the process umask (0644 as a rule), and it gives the -wal
    and -shm files it creates later (every time the last connection closed and they were
    removed) the mode of the database file itself. So a database file made 0600 here keeps
    all three private for good, whichever command or process opens it first, without
    changing the umask of the whole process (which would also make collectstatic output,
    logs and new migration files private). An empty file is a valid empty database.
    """
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    # Exists already (its mode is doctor's business, W005), or cannot be created (a
    # read-only state dir): SQLite reports that when the database is first used.
    with contextlib.suppress(OSError):
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


_default_db = f"sqlite:///{EPILOOP_STATE_DIR / 'epiloop.sqlite3'}"
DATABASES = {"default": env.db_url("DATABASE_URL", default=_default_db)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _private_sqlite_file(str(DATABASES["default"]["NAME"]))
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "group_expiry": 7 * 24 * 3600},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
SERVESTATIC_USE_FINDERS = DEBUG or not STATIC_ROOT.exists()
SERVESTATIC_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Debug pages (DEBUG only) hide settings holding the environment, Redis URLs and secrets.
DEFAULT_EXCEPTION_REPORTER_FILTER = "epiloop_site.reporting.SafeReporterFilter"
if PRODUCTION and not DEBUG:
    # TLS terminates at Fly's proxy (or the operator's), which sets X-Forwarded-Proto and
    # overwrites any value a client sent. Only trusted here: elsewhere a client could fake it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Health checks arrive as plain HTTP on the internal port (Fly's checker, the image's
    # HEALTHCHECK): never redirect them. Patterns match the path without its leading "/".
    # EPILOOP_SSL_REDIRECT=false for plain-HTTP access over `fly proxy` or WireGuard.
    SECURE_SSL_REDIRECT = env.bool("EPILOOP_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Console lines are `[subsystem] message` (logger `epiloop.<subsystem>`); the rotating file
# under logs/ adds timestamps and levels and is what `logs.tail` reads.
EPILOOP_LOG_DIR.mkdir(parents=True, exist_ok=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "gateway.logs.RedactSecretsFilter"},
        "readiness": {"()": "gateway.logs.QuietReadiness"},
    },
    "formatters": {
        "console": {"()": "gateway.logs.SubsystemFormatter", "fmt": EPILOOP_LOG_FORMAT},
        "file": {"()": "gateway.logs.SubsystemFormatter", "fmt": "file"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "console",
            "filters": ["redact", "readiness"],
        },
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(EPILOOP_LOG_DIR / "epiloop.log"),
            "maxBytes": 5 * 1024 * 1024,
            "backupCount": 3,
            "encoding": "utf-8",
            "delay": True,
            "formatter": "file",
            "filters": ["redact", "readiness"],
        },
    },
    "loggers": {
        "epiloop": {"handlers": ["console", "file"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["console", "file"], "level": "WARNING", "propagate": False},
        "daphne": {"handlers": ["console", "file"], "level": "WARNING", "propagate": False},
        "discord": {"handlers": ["file"], "level": "WARNING", "propagate": False},
        "telegram": {"handlers": ["file"], "level": "WARNING", "propagate": False},
        "httpx": {"handlers": ["file"], "level": "WARNING", "propagate": False},
    },
}
