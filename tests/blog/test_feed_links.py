"""Feed entries stand on their own: every link and picture address inside them is absolute."""

import feedparser
import lxml.html
import pytest
from django.test import Client

from blog.feeds import absolute_links
from tests.factories import make_post

BODY = (
    "见[上一篇](/archives/1)与脚注[^1]，以及 [外站](https://example.org/x)。\n\n"
    "![示意图](/static/img/figure.png)\n\n"
    '<img src="pic.png" srcset="/media/a-480.webp 480w, /media/a-960.webp 960w" alt="">\n\n'
    "公式 $a<b$ 不受影响。\n\n[^1]: 脚注内容。"
)


@pytest.fixture
def linked_post(db, author, category):
    return make_post(author=author, category=category, title="链接", body=BODY)


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_every_address_in_a_feed_entry_is_absolute(linked_post, url):
    # feedparser would itself resolve relative addresses (hiding the fault) and drop srcset.
    feed = feedparser.parse(
        Client().get(url).content, resolve_relative_uris=False, sanitize_html=False
    )
    assert not feed.bozo, feed.bozo_exception
    (entry,) = feed.entries
    html = entry.content[0].value if "content" in entry else entry.summary
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    addresses = [href for _el, _attr, href, _pos in root.iterlinks()]
    addresses += [
        candidate.split()[0]
        for element in root.iter("img")
        for candidate in (element.get("srcset") or "").split(",")
        if candidate.strip()
    ]
    assert addresses, "the entry should hold links and pictures"
    assert all(a.startswith(("http://", "https://")) for a in addresses), addresses
    post_url = f"http://127.0.0.1:8000/archives/{linked_post.pk}"
    assert "http://127.0.0.1:8000/archives/1" in addresses
    assert "http://127.0.0.1:8000/static/img/figure.png" in addresses
    assert "http://127.0.0.1:8000/media/a-960.webp" in addresses
    assert any(a.startswith(post_url + "#fn") for a in addresses)  # the footnote link
    assert "https://example.org/x" in addresses
    assert '<span class="arithmatex">\\(a&lt;b\\)</span>' in html  # math untouched


def test_absolute_links_keeps_text_and_math_as_they_were():
    html = '前言 <p>式 <span class="arithmatex">\\(a&lt;b\\)</span> 与 <a href="#x">x</a></p>'
    assert absolute_links(html, "https://blog.example/archives/3") == (
        '前言 <p>式 <span class="arithmatex">\\(a&lt;b\\)</span> 与 '
        '<a href="https://blog.example/archives/3#x">x</a></p>'
    )
