"""Settings for the France Bioproduction companion, read from the environment.

The defaults need nothing started (SQLite file, local-memory cache); production sets DATABASE_URL,
REDIS_URL, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS. The README lists every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value in production, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghijklmnop"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, as its documentation asks
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_htmx",
    "axes",
    "import_export",
    "congress",
    "speakers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "congress.middleware.SecurityHeadersMiddleware",
    # Compresses what the rest of the stack answers (pages carry no secret; the agenda's CSRF token is covered by
    # Django's BREACH padding). Conditional GET stays with the views (congress.caching): the weak ETag GZip
    # gives back still matches there, so a compressed answer's ETag gets its 304.
    "django.middleware.gzip.GZipMiddleware",
    # Load balancers probe /healthz by IP address over HTTP: answered before host validation (and exempt
    # from the HTTPS redirect below).
    "congress.middleware.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # An address under an edition's prefix (/2025/…) gets that edition's URLconf, read by LocaleMiddleware.
    "congress.editions.EditionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "congress.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # request.visitor: the agenda this browser holds, read only when a view asks (congress.agenda.visitor).
    "congress.agenda.visitor.VisitorMiddleware",
    # Last, so that a throttled login attempt is answered before the view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "congress.urls"
WSGI_APPLICATION = "congress.wsgi.application"

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
            ],
        },
    },
]

try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
except ValueError as error:  # manage.py and wsgi.py print this in one line
    raise ImproperlyConfigured(f"DATABASE_URL or DJANGO_CONN_MAX_AGE is not usable: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database fails a request (and /healthz) within seconds instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Many threads and processes writing stars: WAL lets readers run beside the one writer, a write
    # transaction takes the lock when it begins (IMMEDIATE: no "database is locked" when a read turns into a
    # write), and a writer waits its turn for up to `timeout` seconds instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": int(os.environ.get("DJANGO_SQLITE_TIMEOUT", "20")),
        }
    )

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails soft: while Redis is away or hung, pages are rendered uncached (congress.resilience).
            "BACKEND": "congress.resilience.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_PREFIX", "fbp"),
            "TIMEOUT": 60 * 60 * 24,
            # Redis answers on the same network in well under a millisecond: a hung one costs one short timeout
            # per breaker interval, not a second per call.
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_TIMEOUT_SECONDS", "0.05")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT_SECONDS", "0.05")),
            },
            "BREAKER_SECONDS": float(os.environ.get("REDIS_BREAKER_SECONDS", "5")),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "france-bioproduction",
            "TIMEOUT": 60 * 60 * 24,
            "OPTIONS": {"MAX_ENTRIES": 20000},  # pages and each session's pieces (congress.pieces)
        }
    }

# A spreadsheet waits between its preview and its confirmation where every app process can read it.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Per client address (congress.ratelimit): "<count>/<s|m|h|d>" or "off". The venue Wi-Fi puts hundreds of
# attendees behind one address: 500 new agendas an hour pass, a flood stops well before 1,000.
CONGRESS_RATE_LIMITS = {
    "agendas": os.environ.get("CONGRESS_RATE_AGENDAS", "500/h"),
    "stars": os.environ.get("CONGRESS_RATE_STARS", "2000/m"),
    "resets": os.environ.get("CONGRESS_RATE_RESETS", "200/h"),
    "attaches": os.environ.get("CONGRESS_RATE_ATTACHES", "1000/h"),
}

# Admin login throttling: five failures lock out that username from that address for an hour,
# never the whole site.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("DJANGO_AXES_ENABLED", True)
# Behind N reverse proxies that append to X-Forwarded-For, the client is the Nth address from the right;
# with 0 (no proxy) it is REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "congress.middleware.client_ip"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "congress" / "locale"]

# Organiser content in French (required, the reference) and English (optional, falls back to French).
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_LANGUAGES = ("fr", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr",)
USE_I18N = True
# Each congress carries its own IANA zone; this one is only the fallback for the admin.
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / ".staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / ".media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed and compressed by collectstatic; without any manifest yet (e.g. the test suite) plain names.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "congress.storage.ManifestStaticFilesStorage"
        ),
    },
}
# Hashed names (from the manifest) are served with a ten-year, immutable max-age; this is for the others.
WHITENOISE_MAX_AGE = 60 * 60

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Public site address used in feeds and exports when a request is not at hand (absolute URLs).
SITE_URL = os.environ.get("CONGRESS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# No nonce: public pages are cached and shared, so every script and style is a same-origin file.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Features the site never uses are switched off for it and for anything it might embed (congress.middleware).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": ["self"],  # the signage view of /now/ may go full screen
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": ["self"],
    "usb": [],
    "xr-spatial-tracking": [],
}
SESSION_COOKIE_HTTPONLY = True
# Public pages carry no token (the agenda's forms are checked by their origin, congress.agenda.visitor); the
# admin's forms carry it in the page; no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True

if not DEBUG and env_bool("DJANGO_SECURE", True):
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# One handler, with agenda tokens masked, for every logger. Django's own configuration (applied first) gives the
# "django" logger a console handler of its own (so each record was printed twice under runserver, once unmasked)
# and "django.server" another: both are replaced here.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # "Not Found: /agenda/<token>.ics" would otherwise put a personal feed address in the logs.
    "filters": {"mask_agenda_tokens": {"()": "congress.middleware.MaskAgendaTokens"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_agenda_tokens"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "filters": ["mask_agenda_tokens"],
            "formatter": "django.server",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": [], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"), "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
