"""Fixtures shared by every test: data builders and a real gunicorn serving the test database."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection, connections
from hypothesis import settings as hypothesis_settings

from core import outage
from tests import factories

PROJECT_DIR = Path(__file__).resolve().parent.parent

# The suite gives the same verdict on every run: Hypothesis draws the same examples each time.
# HYPOTHESIS_PROFILE=explore draws fresh ones, to hunt for new failures before they land.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session", autouse=True)
def close_connection_pools(django_db_setup, django_db_blocker):
    """Close pooled Postgres connections so the test database can be dropped at the end."""
    yield
    for conn in connections.all():
        if getattr(conn, "pool", None) is not None:
            conn.close_pool()


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test rolls the database back, content version included: start with no pages."""
    for cache in caches.all():
        cache.clear()
    outage._database_down_until = 0.0  # forget a simulated outage of an earlier test


@pytest.fixture
def math_left_as_tex(settings):
    """Store math as TeX (server-side typesetting off), for tests of the markup around it."""
    settings.MATH_RENDER_ON_SAVE = False


@pytest.fixture
def author(db):
    return factories.make_author()


@pytest.fixture
def category(db):
    return factories.make_category(name="数学", slug="math")


@pytest.fixture
def post(db, author, category):
    return factories.make_post(author=author, category=category, title="梯度下降的几何意义")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _test_database_url():
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings["USER"] or "postgres"
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    return f"sqlite:///{settings['NAME']}"


class GunicornServer:
    """gunicorn with the project's config, serving whatever the test database holds."""

    def __init__(self, workers=3, **extra_env):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _test_database_url(),
            "SITE_URL": self.url,
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_ACCESS_LOG": "",
            "BLOG_VIEWS_LOG_DIR": str(django_settings.BLOG_VIEWS_LOG_DIR),
            **extra_env,
        }
        self.log = open(PROJECT_DIR / "data" / f"gunicorn-{self.port}.log", "w+b")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_ready()

    def _wait_until_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                urllib.request.urlopen(self.url + "/robots.txt", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.log.seek(0)
        output = self.log.read().decode(errors="replace")
        self.stop()
        raise RuntimeError("gunicorn did not start:\n" + output)

    def output(self):
        """What gunicorn has logged so far (for assertion messages)."""
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


@pytest.fixture
def gunicorn_server(transactional_db):
    """Start gunicorn on a free port against the test database; stop it after the test."""
    server = GunicornServer()
    yield server
    server.stop()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def require_browser_tool(present, message):
    """Skip, with the reason, when a tool browser tests need is absent (fail under CI)."""
    if not present:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def browser_page(monkeypatch):
    """A Playwright page in Debian's headless Chromium; skipped, with the reason, if absent."""
    require_browser_tool(
        os.path.exists(CHROMIUM),
        f"Chromium is not installed at {CHROMIUM}: `apt-get install chromium`",
    )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls made by the
    # test are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # A reader whose browser asks for Chinese, the site's own language.
        page = browser.new_page(locale="zh-CN")
        yield page
        close_connections_made_beside_playwright()
        browser.close()


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for a whole module of browser tests (pages open in contexts)."""
    require_browser_tool(
        os.path.exists(CHROMIUM),
        f"Chromium is not installed at {CHROMIUM}: `apt-get install chromium`",
    )
    from playwright.sync_api import sync_playwright

    patch = pytest.MonkeyPatch()
    patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        close_connections_made_beside_playwright()
        browser.close()
    patch.undo()


def close_connections_made_beside_playwright():
    """Close the database connections the tests opened while Playwright's loop ran.

    With an event loop running in the thread, asgiref treats it as async and Django keeps
    connections apart from the test's usual ones, where nothing else closes them; left open,
    the test database cannot be dropped at the end of the run.
    """
    connections.close_all()


@pytest.fixture(scope="module")
def sample_server(django_db_setup, django_db_blocker):
    """gunicorn for a whole module of browser tests; each test fills the database itself.

    No per-address comment limit: the tests comment from one address within seconds.
    """
    with django_db_blocker.unblock():
        server = GunicornServer(workers=2, COMMENTS_RATE_LIMITS="")
    yield server
    server.stop()


@pytest.fixture
def sample_site(transactional_db):
    """The sample site of tests/sample_site.py, committed so a gunicorn sees it; emptied after."""
    from tests.sample_site import build_sample_site

    return build_sample_site()


def pytest_sessionfinish(session):
    """Remove this run's directory of tallied views' log files (config/settings/test.py)."""
    shutil.rmtree(django_settings.BLOG_VIEWS_LOG_DIR, ignore_errors=True)
