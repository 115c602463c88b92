"""A cached page's CSRF token: what get_token() makes (the visitor's secret behind a new mask),
with its random characters drawn in one read."""

from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    _does_token_match,
    _unmask_cipher_token,
)
from django.test import Client, RequestFactory

from core.csrf import csrf_token, random_csrf_string

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"


def test_a_new_secret_is_as_long_as_djangos_from_the_same_alphabet():
    secret = random_csrf_string()
    assert len(secret) == CSRF_SECRET_LENGTH
    assert set(secret) <= set(CSRF_ALLOWED_CHARS)


def test_secrets_use_the_whole_alphabet_in_every_position():
    secrets = [random_csrf_string() for _ in range(2000)]
    assert len(set(secrets)) == len(secrets)
    for position in (0, CSRF_SECRET_LENGTH // 2, CSRF_SECRET_LENGTH - 1):
        assert {secret[position] for secret in secrets} == set(CSRF_ALLOWED_CHARS)


def test_random_bytes_past_the_last_whole_alphabet_are_dropped_so_no_character_is_favoured(
    monkeypatch,
):
    size = len(CSRF_ALLOWED_CHARS)
    past_the_last_whole_alphabet = list(range(256 - 256 % size, 256))
    draws = iter([bytes(past_the_last_whole_alphabet + list(range(size, size + 40)))])
    monkeypatch.setattr("core.csrf.secrets.token_bytes", lambda count: next(draws)[:count])
    assert random_csrf_string() == CSRF_ALLOWED_CHARS[:CSRF_SECRET_LENGTH]


def test_a_visitor_without_a_cookie_gets_a_token_for_the_secret_set_in_the_cookie():
    request = RequestFactory().get("/")
    token = csrf_token(request)
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"]


def test_a_visitor_with_a_cookie_keeps_its_secret_and_has_the_cookie_renewed():
    request = RequestFactory().get("/")
    secret = random_csrf_string()
    request.META["CSRF_COOKIE"] = secret  # as process_request() reads it
    assert _unmask_cipher_token(csrf_token(request)) == secret
    assert request.META["CSRF_COOKIE"] == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"]


def test_every_token_has_a_new_mask_and_matches_the_secret_as_django_checks_it():
    request = RequestFactory().get("/")
    tokens = {csrf_token(request) for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(token) == 2 * CSRF_SECRET_LENGTH for token in tokens)
    assert all(_does_token_match(token, request.META["CSRF_COOKIE"]) for token in tokens)


def test_two_cached_pages_give_two_visitors_different_secrets(post):
    url = post.get_absolute_url()
    Client().get(url, HTTP_USER_AGENT=BROWSER)  # store the page
    cookies = {Client().get(url, HTTP_USER_AGENT=BROWSER).cookies["csrftoken"].value for _ in "ab"}
    assert len(cookies) == 2
