"""The client address: read from the trusted proxy's header, always a valid IP address."""

import pytest
from django.test import RequestFactory

from comments.models import Comment
from core.network import client_ip, valid_address

SOCKET = "10.0.0.7"


def request_from(forwarded=None, remote=SOCKET):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("198.51.100.1, 203.0.113.5", "203.0.113.5"),
        ("2001:DB8::1", "2001:db8::1"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("fe80::1%eth0", "fe80::1"),
    ],
)
def test_the_address_the_trusted_proxy_saw_is_used(settings, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from(forwarded)) == expected


@pytest.mark.parametrize(
    "forwarded",
    ["not-an-ip", "1.2.3.4, <script>", "9" * 2000, "999.1.1.1", "1.2.3.4:80", "\u0661.2.3.4", ""],
)
def test_an_invalid_forwarded_address_falls_back_to_the_socket(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from(forwarded)) == SOCKET


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.5")) == SOCKET


def test_an_invalid_socket_address_is_no_address(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from(remote="unix:/run/gunicorn.sock")) is None


def test_valid_address_bounds_the_work_on_long_input():
    assert valid_address("1" * 10_000) is None


@pytest.mark.parametrize("forwarded", ["not-an-ip", "1.2.3.4, <script>", "9" * 2000])
def test_a_comment_with_a_hostile_forwarded_header_is_stored_under_the_socket_address(
    client, post, settings, forwarded
):
    from tests.comments.conftest import aged_timestamp

    settings.TRUSTED_PROXY_COUNT = 1
    settings.COMMENTS_RATE_LIMITS = [(1, 15)]
    settings.COMMENTS_MODERATION = "approve_all"
    response = client.post(
        f"/archives/{post.pk}/comment",
        {
            "author_name": "张三",
            "author_email": "zhangsan@example.com",
            "body": "有道理。",
            "timestamp": aged_timestamp(post),
        },
        REMOTE_ADDR=SOCKET,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert response.status_code == 302
    assert Comment.objects.get().ip_address == SOCKET
