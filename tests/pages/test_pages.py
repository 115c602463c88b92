"""Standalone pages: /<slug>.html, the header, the sitemap; never among posts."""

import io
import json
import re
from datetime import datetime
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from pages.models import Page
from pages.services import free_slug, import_page
from tests.factories import make_page, make_user

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"


def fetch(url):
    return Client(HTTP_USER_AGENT=BROWSER).get(url)


@pytest.fixture
def about(db, author):
    return make_page(
        title="关于本站",
        slug="about",
        author=author,
        body="本站写数学。\n\n$$\\int_0^1 x\\,dx = \\frac12$$\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        in_navigation=True,
    )


def test_a_page_is_served_at_its_slug_dot_html_with_its_body_rendered_at_save(about):
    response = fetch("/about.html")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "关于本站" in html
    assert "\\int_0^1 x\\,dx" in html  # math left for MathJax
    assert "<table>" in about.body_html  # rendered when saved, by the posts' pipeline
    assert '<link rel="canonical" href="http://127.0.0.1:8000/about.html">' in html


def test_an_html_body_is_rendered_and_sanitized_as_a_posts_is(author):
    page = make_page(author=author, body_format="html", body="<p>a</p><script>x()</script>")
    assert "<script" not in page.body_html and "<p>a</p>" in page.body_html


def test_a_draft_page_is_hidden_from_readers_but_shown_to_staff(author, client):
    make_page(author=author, slug="draft", status=Page.Status.DRAFT)
    assert fetch("/draft.html").status_code == 404
    client.force_login(author)
    response = client.get("/draft.html")
    assert response.status_code == 200
    assert "草稿预览" in response.content.decode()


def test_an_unknown_page_is_a_404(db):
    assert fetch("/nothing-here.html").status_code == 404


def test_the_whole_site_index_keeps_its_address(about):
    response = fetch("/content.html")
    assert response.status_code == 200
    assert 'class="archive' in response.content.decode() or "<h1" in response.content.decode()


def test_the_slug_of_the_whole_site_index_is_refused(author):
    page = Page(title="x", slug="content", author=author, body="x")
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "slug" in error.value.message_dict


def test_pages_in_the_navigation_show_in_every_header_in_their_order(author, post):
    make_page(author=author, title="留言板", slug="guestbook", order=20, in_navigation=True)
    make_page(author=author, title="关于", slug="about", order=10, in_navigation=True)
    make_page(author=author, title="隐藏页", slug="hidden", in_navigation=False)
    make_page(author=author, title="草稿页", slug="wip", in_navigation=True, status="draft")
    for url in ("/", post.get_absolute_url(), "/about.html"):
        nav = re.search(r'<nav class="site-nav".*?</nav>', fetch(url).content.decode(), re.S)
        titles = re.findall(r'href="/(\w+)\.html"', nav.group(0))
        assert titles == ["content", "about", "guestbook"], url


def test_pages_stay_out_of_listings_feeds_and_post_search(about, post):
    for url in ("/", "/feed/", "/feed/atom/", "/search/本站/", "/content.html"):
        body = fetch(url).content.decode()
        # The header links the page by title; the listing itself never holds it.
        body = re.sub(r'<nav class="site-nav".*?</nav>', "", body, flags=re.S)
        assert "/about.html" not in body, url


def test_published_pages_are_in_the_sitemap_with_their_last_change(about, author):
    make_page(author=author, slug="secret", status=Page.Status.DRAFT)
    tree = ElementTree.fromstring(fetch("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    entries = {
        url.find("s:loc", ns).text: getattr(url.find("s:lastmod", ns), "text", None)
        for url in tree.findall("s:url", ns)
    }
    lastmod = entries["http://127.0.0.1:8000/about.html"]
    # The sitemap dates a change in the site's time zone: after 16:00 UTC, Shanghai's tomorrow.
    assert datetime.fromisoformat(lastmod).date() == timezone.localdate(about.updated_at)
    assert not any("secret" in loc for loc in entries)


def test_saving_a_page_shows_at_once_on_cached_pages(about, post):
    fetch("/")  # cached
    about.title = "关于我们"
    about.save()
    assert "关于我们" in fetch("/").content.decode()


def test_the_admin_preview_renders_a_page_body_with_the_sites_pipeline(client, author):
    client.force_login(author)
    response = client.post(
        "/admin/pages/page/preview/", {"title": "预览", "body": "**粗体** $x^2$"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>粗体</strong>" in html and "x^2" in html


def test_a_pages_body_is_written_in_the_editor_with_no_draft_slot(client, author, about):
    client.force_login(author)
    page = client.get(f"/admin/pages/page/{about.pk}/change/").content.decode()
    config = json.loads(re.search(r'id="post-editor-config"[^>]*>(.*?)</script>', page).group(1))
    assert config["render_url"] == "/admin/pages/page/editor/render/"
    assert config["frame_url"] == "/admin/pages/page/editor/frame/"
    assert config["autosave_url"] == "" and config["autosave"] is None
    assert "vendor/editor/editor.js" in page
    assert client.get(config["frame_url"]).status_code == 200


def test_the_page_editor_previews_the_whole_body_or_the_block_at_the_cursor(client, author):
    client.force_login(author)
    url = "/admin/pages/page/editor/render/"
    whole = client.post(url, {"body": "# 关于\n\n$x$"}).json()
    assert whole["formulas"] == 1 and whole["html"].startswith('<h1 data-source-line="1"')
    block = client.post(url, {"body": "一\n\n二 $y$\n\n三", "line": 3}).json()
    assert (block["from_line"], block["to_line"]) == (3, 5)
    assert client.post(url, {"body": "x", "line": "abc"}).status_code == 400
    assert client.get(url).status_code == 405


def test_the_page_editor_answers_only_those_who_may_see_pages(client, db):
    client.force_login(make_user(username="editor-of-nothing", is_staff=True))
    assert client.post("/admin/pages/page/editor/render/", {"body": "x"}).status_code == 403
    assert client.get("/admin/pages/page/editor/frame/").status_code == 403


def test_the_admin_adds_a_page(client, author):
    client.force_login(author)
    response = client.post(
        "/admin/pages/page/add/",
        {
            "title": "常见问题",
            "slug": "faq",
            "body_format": "markdown",
            "body": "问：可以转载吗？",
            "status": "published",
            "order": "5",
            "in_navigation": "on",
            "published_at_0": "2024-01-01",
            "published_at_1": "10:00:00",
            "author": author.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "可以转载吗" in fetch("/faq.html").content.decode()


def test_import_page_creates_then_updates_the_page_with_that_slug(author):
    when = datetime(2015, 3, 1, 8, 0).astimezone()
    first = import_page(
        slug="links",
        title="友情链接",
        body="<p>链接</p>",
        body_format="html",
        author_id=author.pk,
        published_at=when,
        updated_at=when,
    )
    assert first.created and first.page.body_html.startswith("<p>链接")
    again = import_page(slug="links", title="友链", body="新的", author_id=author.pk)
    assert not again.created and again.page.pk == first.page.pk
    assert Page.objects.get(slug="links").title == "友链"
    assert Page.objects.get(slug="links").published_at == when


def test_free_slug_never_takes_a_used_or_reserved_one(about):
    assert free_slug("about", fallback="page-1") == "about-2"
    assert free_slug("content", fallback="page-1") == "content-2"
    assert free_slug("???", fallback="page-7") == "page-7"


def test_the_demo_site_has_an_about_page_and_a_guestbook_in_the_header(db):
    call_command("seed_demo", stdout=io.StringIO())
    about, guestbook = Page.objects.in_navigation()
    assert (about.slug, about.title, about.comments_open) == ("about", "关于", False)
    assert (guestbook.slug, guestbook.title, guestbook.comments_open) == (
        "guestbook",
        "留言板",
        True,
    )
    assert guestbook.comment_count == 1
    html = fetch("/guestbook.html").content.decode()
    assert "留言板开张了" in html and 'id="respond"' in html
    assert "\\eqref{eq:euler}" in fetch("/about.html").content.decode()
