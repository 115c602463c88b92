"""What a post page tells machines: canonical link, share cards, JSON-LD, Google Scholar's tags."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from django.test import Client

from tests.factories import make_page, make_post

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def head_of(url):
    response = Client(HTTP_USER_AGENT=BROWSER).get(url)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content).find("head")


def meta(head, key):
    """Contents of the <meta> tags with this name or property, in document order."""
    return [
        tag.get("content")
        for tag in head.iter("meta")
        if key in (tag.get("name"), tag.get("property"))
    ]


def links(head, rel):
    return [tag.get("href") for tag in head.iter("link") if tag.get("rel") == rel]


@pytest.fixture
def cited_post(db, author, category):
    body = (
        "设 $\\alpha^2 + \\beta^2 = 1$，那么有下面的推导。\n\n<!--more-->\n\n"
        "![图一](/static/img/figure.png)\n\n正文。\n\n"
        "## 参考文献\n\n"
        "1. Kingma, D. P., & Ba, J. (2015). Adam: A Method for Stochastic Optimization. ICLR.\n"
        "2. Vaswani, A. et al. (2017). Attention Is All You Need. NeurIPS.\n"
    )
    return make_post(
        author=author,
        category=category,
        title="优化器的几何",
        body=body,
        published_at=datetime(2024, 3, 5, 9, 30, tzinfo=SHANGHAI),
    )


def test_a_post_page_has_its_canonical_link_and_share_cards(cited_post):
    head = head_of(cited_post.get_absolute_url())
    url = f"http://127.0.0.1:8000/archives/{cited_post.pk}"
    assert links(head, "canonical") == [url]
    assert meta(head, "og:type") == ["article"]
    assert meta(head, "og:title") == ["优化器的几何"] == meta(head, "twitter:title")
    assert meta(head, "og:url") == [url]
    assert meta(head, "og:image") == ["http://127.0.0.1:8000/static/img/figure.png"]
    assert meta(head, "twitter:card") == ["summary_large_image"]
    # The excerpt's TeX is read as text, not shown as source.
    (description,) = meta(head, "og:description")
    assert description == meta(head, "description")[0] == meta(head, "twitter:description")[0]
    assert "α" in description and "\\alpha" not in description and "$" not in description


def test_a_post_without_pictures_shares_the_site_icon(post):
    head = head_of(post.get_absolute_url())
    assert meta(head, "og:image") == ["http://127.0.0.1:8000/icon-512.png"]
    assert meta(head, "twitter:card") == ["summary"]


def test_a_post_page_carries_google_scholars_citation_tags(cited_post, author):
    head = head_of(cited_post.get_absolute_url())
    assert meta(head, "citation_title") == ["优化器的几何"]
    assert meta(head, "citation_author") == [author.first_name]
    assert meta(head, "citation_publication_date") == ["2024/03/05"]
    assert meta(head, "citation_online_date") == ["2024/03/05"]
    assert meta(head, "citation_public_url") == [f"http://127.0.0.1:8000/archives/{cited_post.pk}"]
    references = meta(head, "citation_reference")
    assert len(references) == 2
    assert references[0].startswith("Kingma, D. P., & Ba, J. (2015). Adam")
    assert "Attention Is All You Need" in references[1]


def test_a_post_without_a_references_section_has_no_citation_reference(post):
    assert meta(head_of(post.get_absolute_url()), "citation_reference") == []


def test_the_json_ld_is_a_blog_posting_matching_the_page(cited_post, author):
    head = head_of(cited_post.get_absolute_url())
    (script,) = [s for s in head.iter("script") if s.get("type") == "application/ld+json"]
    data = json.loads(script.text)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "优化器的几何"
    assert data["author"] == {"@type": "Person", "name": author.first_name}
    assert data["datePublished"] == "2024-03-05T09:30:00+08:00"
    assert data["url"] == data["mainEntityOfPage"]["@id"] == meta(head, "og:url")[0]
    assert data["image"] == "http://127.0.0.1:8000/static/img/figure.png"
    assert [c["name"][:6] for c in data["citation"]] == ["Kingma", "Vaswan"]


def test_json_ld_cannot_close_its_script_element(author, category):
    post = make_post(author=author, category=category, title="</script><script>alert(1)")
    html = Client(HTTP_USER_AGENT=BROWSER).get(post.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in html
    head = lxml.html.fromstring(html).find("head")
    (script,) = [s for s in head.iter("script") if s.get("type") == "application/ld+json"]
    assert json.loads(script.text)["headline"] == "</script><script>alert(1)"


def test_a_standalone_page_gets_the_basic_tags(author):
    make_page(author=author, slug="about", title="关于", body="关于 $\\pi$ 的一切。")
    head = head_of("/about.html")
    assert links(head, "canonical") == ["http://127.0.0.1:8000/about.html"]
    assert meta(head, "og:title") == ["关于"]
    assert meta(head, "og:type") == ["website"]
    assert "π" in meta(head, "og:description")[0]


def test_listings_have_a_canonical_link_and_prev_next(author, category, settings):
    for _ in range(2 * settings.BLOG_POSTS_PER_PAGE + 1):
        make_post(author=author, category=category)
    first = head_of("/")
    assert links(first, "canonical") == ["http://127.0.0.1:8000/"]
    assert links(first, "prev") == [] and links(first, "next") == ["http://127.0.0.1:8000/page/2/"]
    middle = head_of("/page/2/")
    assert links(middle, "canonical") == ["http://127.0.0.1:8000/page/2/"]
    assert links(middle, "prev") == ["http://127.0.0.1:8000/"]
    assert links(middle, "next") == ["http://127.0.0.1:8000/page/3/"]
    category_page = head_of(f"/category/{category.slug}/2/")
    assert links(category_page, "prev") == [f"http://127.0.0.1:8000/category/{category.slug}/"]
