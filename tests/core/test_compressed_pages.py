"""Cached pages go out gzip-compressed to clients that accept it, with per-request secrets kept
out of the compression (BREACH), and the same page once decompressed."""

import gzip
import secrets
import zlib

import pytest
from django.test import Client

from core import pagecache
from core.pagebody import GzipBody, PlainBody, accepts_gzip
from tests.factories import make_comment

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"
GZIP = "gzip, deflate, br, zstd"


def token_in(html):
    return html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]


@pytest.fixture
def discussed_post(post):
    for number in range(30):
        root = make_comment(post, body=f"第{number}条：$\\sum_i x_i^2$ 的推导很清楚。")
        make_comment(post, parent=root, body="同意，补充一点：$e^{-x^2}$。")
    return post


@pytest.fixture
def fixed_fillers(monkeypatch):
    """Per-request parts with fixed values, so two responses can be compared byte for byte."""
    fillers = {
        **pagecache._fillers,
        "csrf": lambda request, argument: "T" * 64,
        "comment-timestamp": lambda request, argument: f"stamp-{argument}",
    }
    monkeypatch.setattr(pagecache, "_fillers", fillers)


@pytest.mark.parametrize("url", ["/", "post", "/feed/", "/search/梯度/"])
def test_a_gzip_page_decompresses_to_the_plain_page(discussed_post, fixed_fillers, url):
    url = discussed_post.get_absolute_url() if url == "post" else url
    reader = Client(HTTP_USER_AGENT=BROWSER)
    plain = reader.get(url)  # counts the view; the next request shows the same count
    compressed = reader.get(url, HTTP_ACCEPT_ENCODING=GZIP)
    assert plain.status_code == compressed.status_code == 200
    assert not plain.has_header("Content-Encoding")
    assert compressed["Content-Encoding"] == "gzip"
    assert int(compressed["Content-Length"]) == len(compressed.content)
    assert gzip.decompress(compressed.content) == plain.content
    # Strict decoders (zlib with the gzip wrapper) read it too, trailer included.
    assert zlib.decompress(compressed.content, 16 + zlib.MAX_WBITS) == plain.content


def test_the_post_page_with_its_discussion_is_sent_in_a_fifth_of_its_size(discussed_post):
    url = discussed_post.get_absolute_url()
    plain = Client(HTTP_USER_AGENT=BROWSER).get(url)
    compressed = Client(HTTP_USER_AGENT=BROWSER).get(url, HTTP_ACCEPT_ENCODING=GZIP)
    assert len(compressed.content) * 5 < len(plain.content)


@pytest.mark.parametrize("accept_encoding", [GZIP, ""])
def test_every_cached_page_says_it_varies_with_accept_encoding(post, accept_encoding):
    for url in ["/", post.get_absolute_url()]:
        response = Client().get(url, HTTP_ACCEPT_ENCODING=accept_encoding)
        vary = {part.strip() for part in response["Vary"].split(",")}
        assert {"Accept-Encoding", "Accept-Language", "Cookie"} <= vary


def test_the_csrf_token_differs_per_response_and_travels_uncompressed(discussed_post):
    url = discussed_post.get_absolute_url()
    responses = [Client().get(url, HTTP_ACCEPT_ENCODING=GZIP) for _ in range(2)]
    tokens = [token_in(gzip.decompress(r.content).decode()) for r in responses]
    assert tokens[0] != tokens[1]
    for response, token in zip(responses, tokens, strict=True):
        # Found as is in the compressed bytes: a stored block, never matched against the page.
        assert token.encode() in response.content
    # So the compressed length is the fixed parts' plus the values' own: nothing is gained
    # or lost by what a value holds.
    overheads = {len(r.content) - len(gzip.decompress(r.content)) for r in responses}
    assert len(overheads) == 1


def test_a_secret_beside_reflected_guesses_does_not_change_the_compressed_length():
    """BREACH: a page reflecting an attacker's guess must not compress better when it is right."""
    secret = secrets.token_hex(16)
    wrong = secrets.token_hex(16)
    reflected = f"<p>You searched for csrf={secret}</p>" * 3  # the attacker's guess, echoed back
    page = f"<html>{reflected}<form>csrf=\x00csrf:\x00</form></html>".encode()
    body = GzipBody.compress(PlainBody.parse(page))

    right_guess = body.render(lambda name, argument: secret)
    wrong_guess = body.render(lambda name, argument: wrong)
    assert len(right_guess) == len(wrong_guess)
    assert gzip.decompress(right_guess) == page.replace(b"\x00csrf:\x00", secret.encode())
    # Whereas compressing the filled page as one stream gives the secret away.
    whole = lambda value: len(gzip.compress(page.replace(b"\x00csrf:\x00", value.encode())))  # noqa: E731
    assert whole(secret) < whole(wrong)


def test_pages_of_their_own_are_never_compressed(post, author):
    reader = Client()
    reader.force_login(author)
    response = reader.get(post.get_absolute_url(), HTTP_ACCEPT_ENCODING=GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "\x00" not in response.content.decode()


def test_error_pages_are_not_compressed(db):
    response = Client().get("/archives/999999", HTTP_ACCEPT_ENCODING=GZIP)
    assert response.status_code == 404
    assert not response.has_header("Content-Encoding")


def test_a_page_repeats_a_placeholder_with_the_same_value():
    body = PlainBody.parse(b"a\x00csrf:\x00b\x00csrf:\x00c\x00views:\x00")
    values = iter(["one", "two", "three"])
    assert body.render(lambda name, argument: next(values)) == b"aonebonectwo"


def test_a_long_value_is_split_into_stored_blocks_of_at_most_64_kib():
    long_value = "数" * 40_000  # 120,000 bytes in UTF-8
    body = GzipBody.compress(PlainBody.parse(b"<p>\x00views:\x00</p>"))
    assert gzip.decompress(body.render(lambda name, argument: long_value)) == (
        f"<p>{long_value}</p>".encode()
    )


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip, deflate, br, zstd", True),
        ("GZIP", True),
        ("deflate, gzip;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br;q=1.0, *;q=0.1", True),
        ("", False),
        ("identity", False),
        ("br, zstd", False),
        ("gzip;q=0", False),
        ("gzip;q=0, *", False),
        ("*;q=0", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_as_rfc_9110_says(header, accepted):
    assert accepts_gzip(header) is accepted
