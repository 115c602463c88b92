"""Settings for the test suite: fast hashing, plain static files, SQLite in a file."""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import COMMENTS_AUTHOR_MAIL, DATA_DIR, DATABASES, STORAGES, env_bool

SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# gunicorn started by the browser and concurrency tests serves files straight from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Mail to the blog's author is off unless a test turns it on (tests/comments/test_author_mail.py),
# so the other tests' outboxes hold only what they are about.
COMMENTS_AUTHOR_MAIL = {**COMMENTS_AUTHOR_MAIL, "enabled": False}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a gunicorn started by a test sees the same data.
    # One file per test run, so two runs on one machine do not share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}

# Test transactions roll back, so their NOTIFYs never arrive: read the version per request.
# tests/blog/test_caching.py turns the listener on for a gunicorn started by the test.
PAGE_CACHE_VERSION_LISTENER = env_bool("PAGE_CACHE_VERSION_LISTENER", False)

# Tests see each counted view in the database as it happens; tests/blog/test_view_tally.py and
# tests/blog/test_view_log.py run the site's default, the tally and its log files.
BLOG_VIEWS_FLUSH_SECONDS = float(os.environ.get("BLOG_VIEWS_FLUSH_SECONDS", "0"))
# A directory per test run (gunicorn started by a test gets the run's): a file left by a run
# that was stopped is never adopted by a later one, whose posts have the same ids.
BLOG_VIEWS_LOG_DIR = Path(
    os.environ.get("BLOG_VIEWS_LOG_DIR") or DATA_DIR / f"view-logs-{os.getpid()}"
)
