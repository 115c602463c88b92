"""Production safety: headers on every response, CSP, login throttling, deploy checks."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url", ["/", "/archives/999999", "/feed/", "/static/js/site.js"])
def test_every_response_carries_the_security_headers(client, post, url):
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_csp_allows_only_our_own_scripts(client, post):
    policy = client.get(post.get_absolute_url())["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-eval" not in policy


def test_pages_have_no_inline_script(client, post):
    import re

    for url in ["/", post.get_absolute_url(), "/content.html", "/search/x/"]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            # A JSON-LD data block is never run (CSP does not apply to it); code needs src=.
            assert "src=" in tag or tag == '<script type="application/ld+json">', (url, tag)


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "ALLOWED_HOSTS": "blog.example.org",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", SECRET_KEY="k" * 60, ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="blog.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_admin_login_locks_out_after_repeated_failures_then_cools_off(client, author, time_machine):
    time_machine.move_to("2030-01-01 00:00:00+00:00", tick=False)
    for _ in range(5):
        client.post("/admin/login/", {"username": author.username, "password": "wrong-password"})
    locked = client.post(
        "/admin/login/", {"username": author.username, "password": "secret-pass-123"}
    )
    assert locked.status_code == 429
    assert "登录失败次数太多" in locked.content.decode()
    time_machine.move_to("2030-01-01 00:16:00+00:00", tick=False)
    allowed = client.post(
        "/admin/login/", {"username": author.username, "password": "secret-pass-123"}
    )
    assert allowed.status_code == 302


def test_guessing_one_username_from_many_addresses_is_locked_out(client, author, time_machine):
    time_machine.move_to("2030-01-01 00:00:00+00:00", tick=False)
    for number in range(5):
        client.post(
            "/admin/login/",
            {"username": author.username, "password": "wrong-password"},
            REMOTE_ADDR=f"198.51.100.{number + 1}",
        )
    locked = client.post(
        "/admin/login/",
        {"username": author.username, "password": "secret-pass-123"},
        REMOTE_ADDR="203.0.113.77",
    )
    assert locked.status_code == 429
    other_user = client.post(
        "/admin/login/", {"username": "someone-else", "password": "x"}, REMOTE_ADDR="203.0.113.78"
    )
    assert other_user.status_code == 200  # the form again: only the guessed account is locked


def test_a_login_with_an_absurdly_long_username_is_an_ordinary_failure(client, db):
    response = client.post("/admin/login/", {"username": "a" * 5000, "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_admin_url_can_be_moved_by_a_setting(transactional_db):
    from tests.conftest import _test_database_url

    script = (
        "from django.test import Client;"
        "c = Client(HTTP_HOST='127.0.0.1');"
        "print(c.get('/backstage/login/').status_code, c.get('/admin/login/').status_code)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=PROJECT_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _test_database_url(),
            "ADMIN_URL": "backstage/",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split()[-2:] == ["200", "404"], result.stderr


def test_healthz_answers_200_when_database_and_cache_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "cache": True}


def test_healthz_answers_503_when_the_cache_is_down(client, db):
    with mock.patch("config.views.cache.set", side_effect=ConnectionError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] is False


def test_database_errors_become_a_styled_503_with_retry_after(client, db):
    with mock.patch(
        "blog.views.HomeView.get_queryset", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "数据库正在维护" in response.content.decode()


def test_unexpected_errors_show_the_styled_500_page_without_a_traceback(client, db):
    client.raise_request_exception = False
    with mock.patch("blog.views.HomeView.get_queryset", side_effect=ValueError("boom")):
        response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器暂时出了点问题" in html
    assert "Traceback" not in html
    assert "boom" not in html


def test_after_a_database_error_requests_fail_fast_for_a_moment(client, db):
    with mock.patch(
        "blog.views.HomeView.get_queryset", side_effect=OperationalError("connection refused")
    ):
        assert client.get("/").status_code == 503
    with mock.patch("blog.views.HomeView.get_queryset") as view:
        response = client.get("/")
    assert response.status_code == 503
    assert not view.called  # answered before any database work


def test_unknown_urls_answer_503_not_500_while_the_database_is_down(client, db):
    with mock.patch(
        "blog.templatetags.blog_tags.cached_fragment", side_effect=OperationalError("refused")
    ):
        response = client.get("/no-such-page/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_redis_url_switches_the_cache_to_a_shared_redis(transactional_db):
    """Two processes with REDIS_URL see each other's cache entries (Django's RedisCache)."""
    from tests.conftest import _test_database_url

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "CACHE_KEY_PREFIX": f"test-{os.getpid()}",
    }

    def shell(code):
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split()[-1]

    backend = "from django.core.cache import caches; print(type(caches['default']).__name__)"
    assert shell(backend) == "RedisCache"
    shell("from django.core.cache import cache; cache.set('shared', 'yes', 60); print('ok')")
    assert shell("from django.core.cache import cache; print(cache.get('shared'))") == "yes"
    health = (
        "from django.test import Client; "
        "print(Client(HTTP_HOST='127.0.0.1').get('/healthz').status_code)"
    )
    assert shell(health) == "200"


def test_the_csp_header_is_django_csps_own_and_follows_the_settings(client, post, settings):
    from csp.utils import build_policy

    assert client.get("/")["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/")["Content-Security-Policy"] == "default-src 'none'"
    assert "Content-Security-Policy-Report-Only" not in client.get("/")


def test_a_response_that_changes_its_policy_still_gets_django_csps_treatment(rf):
    from django.http import HttpResponse

    from config.middleware import CSPMiddleware

    def view(request):
        response = HttpResponse("ok")
        response._csp_replace = {"img-src": ["'none'"]}  # what @csp_replace sets
        return response

    response = CSPMiddleware(view)(rf.get("/"))
    assert "img-src 'none'" in response["Content-Security-Policy"]
