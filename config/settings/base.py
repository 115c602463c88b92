"""Settings shared by every environment; each value that differs comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The blog's public identity: absolute links in citations and feeds use SITE_URL.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "科学空间")
SITE_DESCRIPTION = os.environ.get("SITE_DESCRIPTION", "数学、物理与机器学习的笔记和推导")
# Prefix of BibTeX keys, e.g. "kexuefm" gives @online{kexuefm-42, ...}.
SITE_CITATION_KEY = os.environ.get("SITE_CITATION_KEY", "blog")
SITE_LICENSE_NAME = os.environ.get("SITE_LICENSE_NAME", "CC BY-NC-ND 4.0")
SITE_LICENSE_URL = os.environ.get(
    "SITE_LICENSE_URL", "https://creativecommons.org/licenses/by-nc-nd/4.0/"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "config.apps.AxesConfig",  # django-axes, named in Chinese
    "mptt",
    "reversion",
    "core",
    "blog",
    "pages",
    "comments",
    "desk",
    "redirects",
    "media",
    "moving",
]

MIDDLEWARE = [
    # Picks the database a request reads from, the content version included.
    "config.middleware.PrimaryPinningMiddleware",
    # Serves stored shared pages with the headers the rest of the stack gave them the first
    # time; it leaves to the middleware below what they would answer differently (static
    # files, NUL bytes, the HTTPS redirect, an outage's 503).
    "core.pagecache.SharedPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise so static files get the same headers as pages.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with the site-wide header built once (config/middleware.py).
    "config.middleware.CSPMiddleware",
    # Before anything that may query the database with a value from the request.
    "core.guards.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.outage.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Inside CommonMiddleware, so an old address gets its redirect before any added slash.
    "redirects.middleware.RedirectMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

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
                "blog.context_processors.site",
                "core.pagecache.page_cache_context",
            ],
        },
    },
]


SQLITE_OPTIONS = {
    # Writers wait for each other instead of failing with "database is locked".
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_from_env():
    """Use DATABASE_URL (PostgreSQL through psycopg 3) or else an embedded SQLite file."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'blog.sqlite3'}"
    return database_from_url(url)


def database_from_url(url):
    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config["OPTIONS"] = {
            # Short waits so a dead database answers quickly instead of hanging a worker.
            "connect_timeout": int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3")),
            # Django turns psycopg's prepared statements off. Its own queries bind their
            # parameters in the client and are never prepared anyway; the reader count's
            # statement binds them on the server (blog/readers.py) and is prepared after this
            # many runs on each connection. A pooler that hands one client's transactions to
            # different server sessions (PgBouncer's transaction mode) loses them: turn off.
            "prepare_threshold": 5 if env_bool("DATABASE_PREPARED_STATEMENTS", True) else None,
            "pool": {
                "min_size": 1,
                "max_size": int(os.environ.get("DATABASE_POOL_MAX", "4")),
                "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "2")),
                # psycopg_pool retries a lost connection with doubling delays (1, 2, 4, 8,
                # 16 s...) for this long: after a long outage its next try could come half a
                # minute after the database is back. Giving up early instead makes the next
                # request start a fresh attempt at once, so the site recovers within a second
                # or two of the database's return (tests/ops/test_database_restart.py).
                "reconnect_timeout": float(os.environ.get("DATABASE_POOL_RECONNECT_TIMEOUT", "1")),
            },
        }
    return config


DATABASES = {"default": database_from_env()}
# Read replicas (comma separated URLs): page reads go there, writes to the primary.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    _alias = f"replica{_number}"
    DATABASES[_alias] = {**database_from_url(_url), "TEST": {"MIRROR": "default"}}
    DATABASE_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
# How long a browser that just wrote reads from the primary (longer than replica lag).
DATABASE_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "15"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface speaks these; a reader's browser (Accept-Language) or the footer's switch (a
# cookie) picks one. Posts and comments stay in the language they were written in, marked
# with SITE_CONTENT_LANGUAGE.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("英语"))]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
SITE_CONTENT_LANGUAGE = os.environ.get("SITE_CONTENT_LANGUAGE", "zh-CN")
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # MathJax comes from the npm registry (package.json pins it), never from a CDN; its fonts
    # (copied out of the font package by `npm run build`) serve the browser's MathJax and the
    # math typeset on the server alike.
    ("vendor/mathjax", BASE_DIR / "node_modules" / "mathjax"),
    ("vendor/mathjax-newcm-font", BASE_DIR / "build" / "mathjax-newcm-font"),
    # The post editor (CodeMirror 6 from npm), bundled by `npm run build` (make install).
    ("vendor/editor", BASE_DIR / "build" / "editor"),
]
# Uploaded files (the media app): under DATA_DIR/media, served by the app at MEDIA_URL, unless
# MEDIA_S3_BUCKET names a bucket of an S3-compatible store that every app machine shares.
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Names are made from the content's hash, so a file never changes under its URL: a year's cache.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"


def media_storage_from_env():
    """The default storage: the local folder, or S3-compatible object storage."""
    bucket = os.environ.get("MEDIA_S3_BUCKET", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MEDIA_S3_REGION") or None,
            "access_key": os.environ.get("MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            # Where readers fetch files from (a CDN or the bucket's public address).
            "custom_domain": os.environ.get("MEDIA_S3_CUSTOM_DOMAIN") or None,
            "url_protocol": os.environ.get("MEDIA_S3_URL_PROTOCOL", "https:"),
            "location": os.environ.get("MEDIA_S3_PREFIX", "").strip("/"),
            # Public, unsigned URLs: a signed one expires, and posts keep their URLs for years.
            "querystring_auth": False,
            "default_acl": os.environ.get("MEDIA_S3_ACL") or None,
            "file_overwrite": True,  # a name is its content's hash: same name, same bytes
            "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
        },
    }


STORAGES = {
    "default": media_storage_from_env(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Larger uploads are refused (HTTP 413 from the editor's upload; a form error in the admin).
MEDIA_MAX_UPLOAD_BYTES = int(float(os.environ.get("MEDIA_MAX_UPLOAD_MB", "20")) * 2**20)
# A picture with more pixels is refused before it is decoded (a "decompression bomb" packs
# gigapixels into a few kilobytes). 60 megapixels is twice a full-frame camera's.
MEDIA_MAX_IMAGE_PIXELS = int(os.environ.get("MEDIA_MAX_IMAGE_PIXELS", str(60_000_000)))
# Widths made of each picture at upload for srcset; narrower originals keep their own size.
MEDIA_IMAGE_WIDTHS = [int(w) for w in env_list("MEDIA_IMAGE_WIDTHS", "480,960,1600")]
# "webp" (smaller, read by every current browser) or "original" (the upload's own format).
MEDIA_VARIANT_FORMAT = os.environ.get("MEDIA_VARIANT_FORMAT", "webp")
MEDIA_VARIANT_QUALITY = 82
MEDIA_UPLOAD_PREFIX = "uploads/"

# REDIS_URL shares one cache between every gunicorn process and machine; else local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "blog"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "blog",
        }
    }
# The page cache (core/pagecache.py): rendered pages keyed by the content version, immutable,
# so each process keeps its own, as objects (a hit is a lookup, not an unpickling).
CACHES["pages"] = {
    "BACKEND": "core.memorycache.ObjectMemoryCache",
    "LOCATION": "pages",
    "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_ENTRIES", "1000"))},
}
PAGE_CACHE_SECONDS = 60 * 60
# What readers can see: saving or deleting any of these models changes the content version and
# so retires every cached page (core/content_version.py connects them; a test walks this list).
# None means every save counts; a tuple of fields limits it to saves that touch those fields.
PAGE_CACHE_INVALIDATED_BY = {
    "blog.Post": None,
    "blog.Category": None,
    "blog.Tag": None,
    "blog.Post_tags": None,
    "comments.Comment": None,
    "pages.Page": None,
    "redirects.Redirect": None,
    "core.SiteSettings": None,
    # A deleted file leaves pages with a broken picture.
    "media.MediaFile": None,
    # The author's name shows on posts; a login only touches last_login.
    "auth.User": ("username", "first_name", "last_name"),
}
# Functions returning the next moment something scheduled becomes public (or None); the
# content version changes when it passes, although nothing was written.
PAGE_CACHE_SCHEDULES = ["blog.models.next_scheduled_publication"]
# Asked by the blog's renderer, when a post is saved, for the sizes of each picture in it
# (blog/rendering.py, picture_lookup, says why this is a setting).
BLOG_PICTURE_LOOKUP = "media.pictures.picture_for_url"
# Static files the post editor loads beside its own: the media library's picture picker and
# uploads of pasted or dropped pictures (they define window.blogPictures).
BLOG_EDITOR_SCRIPTS = ["media/editor-pictures.js"]
BLOG_EDITOR_STYLES = ["media/editor-pictures.css"]
# Visitors holding one of these cookies see a page of their own (logged in; comments of their
# own still waiting for approval), never a shared one.
COMMENTS_OWN_COOKIE = "my_comments"
PAGE_CACHE_PERSONAL_COOKIES = ["sessionid", COMMENTS_OWN_COOKIE]
# On Postgres without replicas, follow the content version by LISTEN/NOTIFY (no query per
# cached page); otherwise read it with each request.
PAGE_CACHE_VERSION_LISTENER = env_bool("PAGE_CACHE_VERSION_LISTENER", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "blog@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10

# Blog behaviour.
BLOG_POSTS_PER_PAGE = 10
BLOG_RELATED_POSTS = 10
BLOG_FEED_ITEMS = 20
# A reader's repeat visits within this many seconds count once.
BLOG_VIEW_DEDUPE_SECONDS = 24 * 60 * 60
# Off by default: a view the reader saw counted survives a database crash. On, a counted view
# commits without waiting for the disk (blog/readers.py), several times cheaper, and a crash
# of the database server may forget the last fraction of a second of views.
BLOG_VIEWS_ASYNC_COMMIT = env_bool("BLOG_VIEWS_ASYNC_COMMIT", False)
# Above 0 (the default, 1): each worker tallies views in memory and writes them every this many
# seconds and when it exits (blog/view_tally.py), no database work per view; each view is also
# appended to a log file in BLOG_VIEWS_LOG_DIR, so that a worker killed outright loses none
# (blog/view_log.py). 0: every counted view is written to the database as it happens.
BLOG_VIEWS_FLUSH_SECONDS = float(os.environ.get("BLOG_VIEWS_FLUSH_SECONDS", "1"))
BLOG_VIEWS_LOG_DIR = Path(os.environ.get("BLOG_VIEWS_LOG_DIR") or DATA_DIR / "view-logs")
# Number of reverse proxies (nginx, a load balancer) in front of gunicorn that append to
# X-Forwarded-For. With 0, the header is ignored: anyone could forge it.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# The demo author's password for seed_demo; a random one is made and printed if empty.
DEMO_ADMIN_PASSWORD = os.environ.get("DEMO_ADMIN_PASSWORD", "")
# Moving the admin off the well-known /admin/ path cuts down on password-guessing noise.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"

# Math typeset when a post or comment is saved, by MathJax under Node (core/mathjax/): readers
# get finished formulas and no MathJax. Without Node, or with it turned off, math is left for
# MathJax in the reader's browser, as the admin says on the post.
MATH_RENDER_ON_SAVE = env_bool("MATH_RENDER_ON_SAVE", True)
MATH_RENDER_NODE = os.environ.get("MATH_RENDER_NODE", "")  # the `node` on PATH if empty
MATH_RENDER_TIMEOUT = float(os.environ.get("MATH_RENDER_TIMEOUT", "60"))  # seconds per document

# Comments.
COMMENTS_MAX_LENGTH = 10_000
COMMENTS_MAX_DEPTH = 10  # deeper replies are shown at this depth, saying whom they answer
COMMENTS_THREADS_PER_PAGE = 20
# "auto": approve commenters whose email already has an approved comment, hold the rest;
# "approve_all" or "hold_all" to override.
COMMENTS_MODERATION = os.environ.get("COMMENTS_MODERATION", "auto")
COMMENTS_MAX_LINKS = 3  # more links than this sends a comment to moderation
# A form posted sooner than this after it was served is a bot's.
COMMENTS_MIN_SECONDS = int(os.environ.get("COMMENTS_MIN_SECONDS", "3"))
COMMENTS_MAX_FORM_AGE = 24 * 60 * 60
# Per-IP posting limits as "count/seconds" pairs: one per 15 s and 20 an hour by default.
COMMENTS_RATE_LIMITS = [
    (int(count), int(seconds))
    for count, _, seconds in (
        pair.partition("/") for pair in env_list("COMMENTS_RATE_LIMITS", "1/15,20/3600")
    )
]
COMMENTS_GRAVATAR = env_bool("COMMENTS_GRAVATAR", True)
# Mail to the blog's author about new comments (comments/author_mail.py reads these through
# one function, so they can move to a site-settings row edited in the admin): where to send
# it (empty: the address of the first superuser), on or off, and "each" comment at once or
# a "digest" once a day (`manage.py send_comment_digest` from cron).
COMMENTS_AUTHOR_MAIL = {
    "to": os.environ.get("COMMENTS_AUTHOR_MAIL_TO", ""),
    "enabled": env_bool("COMMENTS_AUTHOR_MAIL", True),
    "mode": os.environ.get("COMMENTS_AUTHOR_MAIL_MODE", "each"),
}
# How long the one-click approve / spam / reply links in that mail keep working.
COMMENTS_MODERATION_LINK_DAYS = int(os.environ.get("COMMENTS_MODERATION_LINK_DAYS", "7"))
# Reply notifications (comments/subscriptions.py): how long the link of the one confirmation
# mail and the unsubscribe link of each reply mail keep working, and the most reply mails one
# address gets in a day.
COMMENTS_CONFIRM_LINK_DAYS = 7
COMMENTS_UNSUBSCRIBE_LINK_DAYS = 90
COMMENTS_NOTIFY_DAILY_LIMIT = 20
# Room for a 1 MB comment in Chinese (3 bytes a character) to reach the form and get a
# readable "too long" error with the text kept, instead of a bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security headers on every response (SecurityMiddleware and XFrameOptionsMiddleware).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy: scripts only from our own static files, never inline. MathJax
# writes its own <style> elements and style attributes while typesetting, so styles
# allow 'unsafe-inline' (styles cannot run code); scripts do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        # MathJax 4 reads formulas aloud (speech) in a worker it starts from a blob: URL.
        "worker-src": ["'self'", "blob:"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Admin login throttling (django-axes): a few failures from one address, or for one username
# from any number of addresses, then 429 until the cool-off ends.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_USERNAME_CALLABLE = "config.logins.attempted_username"
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
AXES_CLIENT_IP_CALLABLE = "core.network.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
