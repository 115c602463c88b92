"""Imported posts and pages in real Chromium: no raw shortcode, block comment or escaped HTML."""

import io
import re

import pytest
from django.core.management import call_command

from blog.models import Post
from pages.models import Page
from tests.moving import wxr
from tests.moving.conftest import THEME_TEST_DATA

pytestmark = pytest.mark.browser

KNOWN_SHORTCODE = re.compile(
    r"\[/?(caption|wp_caption|gallery|code|sourcecode|latex|embed|audio|video)\b"
)
LEFT_OVER = [
    KNOWN_SHORTCODE,
    re.compile(r"<!--|wp:[a-z-]+"),  # block comments
    re.compile(r"</?(p|div|a|img|figure|span|strong|em|br)\b[^>]*>"),  # escaped tags
    re.compile(r"&(lt|gt|amp|quot|nbsp|#\d+);"),  # entities shown as text
    re.compile(r"\$latex\b"),
]


def test_every_imported_post_and_page_reads_cleanly(gunicorn_server, browser_page, tmp_path):
    export = tmp_path / "own.xml"
    export.write_text(wxr.site(), encoding="utf-8")
    for path in (THEME_TEST_DATA, export):
        call_command("import_wordpress", str(path), stdout=io.StringIO())
    addresses = [f"/archives/{pk}" for pk in Post.objects.published().values_list("pk", flat=True)]
    assert len(addresses) > 50
    pages = [page.get_absolute_url() for page in Page.objects.published()]
    assert len(pages) >= 21  # the theme test data's pages and our own export's
    page = browser_page

    for address in [*addresses, *pages]:
        response = page.goto(f"{gunicorn_server.url}{address}")
        assert response.status == 200, address
        # Code blocks may show markup on purpose (a post about writing block comments).
        text = page.evaluate(
            """() => { const body = document.querySelector('.post-body').cloneNode(true);
                       body.querySelectorAll('pre, code').forEach((e) => e.remove());
                       document.body.appendChild(body);
                       const text = body.innerText; body.remove(); return text; }"""
        )
        title = page.locator(".post-title").inner_text()
        for pattern in LEFT_OVER:
            found = pattern.search(text) or pattern.search(title)
            assert found is None, f"{address} shows {found.group(0)!r}"

    # The math of an imported HTML post is typeset, numbered and cross-referenced.
    page.goto(f"{gunicorn_server.url}/archives/101")
    page.wait_for_selector("html[data-math-typeset=done]", timeout=20_000)
    body = page.locator(".post-body")
    assert body.locator("mjx-container").count() >= 5
    assert "(1)" in body.inner_text()
    assert page.locator("mjx-merror").count() == 0
    assert "[unknown_widget" not in body.inner_text()  # that one lives in post 102
    page.goto(f"{gunicorn_server.url}/archives/102")
    assert "[unknown_widget size=" in page.locator(".post-body").inner_text()
    assert page.locator(".post-body figure figcaption").count() >= 1
    assert page.locator(".post-body .highlight").count() == 1

    # An imported page shows its approved comments (its one reply is pending in the source).
    page.goto(f"{gunicorn_server.url}/page-with-comments.html")
    assert page.locator(".post-title").inner_text() == "Page with comments"
    comments = page.locator(".comment-list .comment")
    assert comments.count() == 3 and "themedemos" in comments.last.inner_text()
