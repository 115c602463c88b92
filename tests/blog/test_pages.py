"""The reader's pages: listings, the post page, the whole-site index, feeds and error pages."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import make_category, make_post, make_tag

SHANGHAI = ZoneInfo("Asia/Shanghai")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"


def shanghai(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def test_home_entry_shows_date_badge_title_excerpt_and_read_more(client, author, category):
    post = make_post(
        author=author,
        category=category,
        title="绳子的形状",
        published_at=shanghai(2019, 7, 6, 9, 0),
        body="摘要里有 $x_1$。\n\n<!--more-->\n\n只在正文里的段落。",
    )
    html = client.get("/").content.decode()
    assert re.search(r'<span class="day">6</span>\s*<span class="month">Jul</span>', html)
    assert f'<a href="/archives/{post.pk}">绳子的形状</a>' in html
    # The excerpt's math, typeset on the server.
    assert '<g data-mml-node="math" data-latex="x_1"' in html
    assert "只在正文里的段落" not in html
    assert "点击阅读全文..." in html


def test_home_lists_ten_newest_posts_a_page(client, author, category):
    posts = [make_post(author=author, category=category, title=f"第{i}篇") for i in range(12)]
    newest_first = sorted(posts, key=lambda p: p.published_at, reverse=True)
    first_page = client.get("/").content.decode()
    second_page = client.get("/page/2/").content.decode()
    assert first_page.count('class="entry"') == 10
    assert first_page.index(newest_first[0].title) < first_page.index(newest_first[1].title)
    assert newest_first[10].title in second_page
    assert 'href="/page/2/"' in first_page


@pytest.mark.parametrize("url", ["/page/99/", "/page/0/", "/page/abc/", "/page/-1/"])
def test_out_of_range_or_non_numeric_pages_are_404(client, post, url):
    assert client.get(url).status_code == 404


def test_pager_elides_far_pages(client, author, category):
    for i in range(100):
        make_post(author=author, category=category, title=f"文章{i}")
    html = client.get(reverse("blog:category", kwargs={"slug": category.slug})).content.decode()
    assert re.search(
        r">1</span>\s*<a[^>]*>2</a>\s*<a[^>]*>3</a>\s*"
        r"<span class=\"ellipsis\">...</span>\s*<a[^>]*>10</a>\s*<a[^>]*>»",
        html,
        re.S,
    )
    assert f'href="/category/{category.slug}/2/"' in html


def test_post_page_shows_meta_line_actions_and_body(client, post):
    post.views = 58631
    post.save()
    html = client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER).content.decode()
    date = post.published_at.astimezone(SHANGHAI).strftime("%Y-%m-%d")
    assert 'By <span lang="zh-CN">林一</span> | <time' in html
    assert f'>{date}</time> | <span class="views">58632位读者</span> |' in html
    assert f'href="/archives/{post.pk}#cite">引用</a>' in html
    for action in ("打印", "分享"):
        assert f">{action}</button>" in html
    assert "正文的其余部分" in html


def test_post_url_with_trailing_slash_redirects(client, post):
    response = client.get(f"/archives/{post.pk}/")
    assert response.status_code == 301
    assert response["Location"] == f"/archives/{post.pk}"


def test_post_page_has_repost_notice_licence_and_citations(client, author, category, settings):
    settings.SITE_URL = "https://blog.example.org"
    settings.SITE_CITATION_KEY = "exampleblog"
    post = make_post(
        author=author,
        category=category,
        title="两个椭圆片",
        published_at=shanghai(2019, 7, 21, 10, 0),
    )
    url = f"https://blog.example.org/archives/{post.pk}"
    html = client.get(post.get_absolute_url()).content.decode()
    assert f'转载到请包括本文地址：<a href="{url}">{url}</a>' in html
    assert "CC BY-NC-ND 4.0" in html
    assert 'id="cite"' in html
    assert "如果您需要引用本文，请参考：" in html
    assert f"林一. (Jul. 21, 2019). 《两个椭圆片》[Blog post]. Retrieved from {url}" in html
    assert f"@online{{exampleblog-{post.pk}," in html
    assert "title={两个椭圆片}" in html
    assert "year={2019}" in html
    assert "month={Jul}" in html
    assert f"url={{\\url{{{url}}}}}" in html
    assert html.count('class="copy-button"') == 2


def test_post_footer_shows_taxonomy_neighbours_and_related_posts(client, author, category):
    tag = make_tag(name="优化", slug="optimization")
    other_category = make_category(name="物理", slug="physics")
    older = make_post(author=author, category=other_category, title="更早的一篇", tags=[tag])
    post = make_post(
        author=author,
        category=category,
        title="当前文章",
        tags=[tag],
        published_at=older.published_at + timedelta(hours=1),
    )
    newer = make_post(
        author=author,
        category=other_category,
        title="更新的一篇",
        published_at=post.published_at + timedelta(hours=1),
    )
    unrelated = make_post(
        author=author,
        category=other_category,
        title="毫不相干",
        published_at=post.published_at - timedelta(days=30),
    )
    html = client.get(post.get_absolute_url()).content.decode()
    assert '分类：<a href="/category/math/" lang="zh-CN">数学</a>' in html
    assert '标签：<a href="/tag/optimization/" rel="tag" lang="zh-CN">优化</a>' in html
    assert "0条评论" in html
    assert (
        f'href="{older.get_absolute_url()}" rel="prev">&lt; <span lang="zh-CN">更早的一篇</span>'
        in html
    )
    assert (
        f'href="{newer.get_absolute_url()}" rel="next"><span lang="zh-CN">更新的一篇</span> &gt;'
        in html
    )
    related = html[html.index("你也许还对下面的内容感兴趣") :]
    assert "更早的一篇" in related
    assert unrelated.title not in related


def test_related_posts_are_capped_at_ten(client, author, category):
    post = make_post(author=author, category=category)
    for _ in range(12):
        make_post(author=author, category=category)
    html = client.get(post.get_absolute_url()).content.decode()
    related = html[html.index("你也许还对下面的内容感兴趣") :]
    assert related[: related.index("</ul>")].count("<li>") == 10


def test_second_form_listings_show_title_meta_and_excerpt(client, author, category):
    tag = make_tag(name="积分", slug="integral")
    post = make_post(
        author=author,
        category=category,
        tags=[tag],
        title="积分的技巧",
        published_at=shanghai(2019, 7, 21, 12, 0),
    )
    post.views = 120
    post.save()
    for url in ["/category/math/", "/tag/integral/", "/2019/07/", "/search/积分/"]:
        html = client.get(url).content.decode()
        # (search results mark the query's words; tests/blog/test_search_marking.py)
        html = html.replace("<mark>", "").replace("</mark>", "")
        assert "积分的技巧</a></h2>" in html, url
        assert '>2019-07-21</time> | <span class="views">120位读者</span>' in html, url
        assert "第" in html and "篇文章的第一段" in html, url


@pytest.mark.parametrize(
    "url",
    [
        "/category/no-such-thing/",
        "/tag/no-such-thing/",
        "/2019/13/",
        "/2019/00/",
        "/1999/01/",
        "/archives/999999",
        "/archives/abc",
        "/category/math/99/",
    ],
)
def test_unknown_slugs_months_and_ids_are_404(client, post, url):
    assert client.get(url).status_code == 404


def test_404_page_uses_the_site_layout(client, post):
    response = client.get("/archives/999999")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert "智能搜索" in html


def test_content_page_groups_posts_by_year_and_month(client, author, category):
    make_post(author=author, category=category, title="七月一", published_at=shanghai(2019, 7, 21))
    make_post(author=author, category=category, title="七月二", published_at=shanghai(2019, 7, 3))
    make_post(author=author, category=category, title="三月", published_at=shanghai(2019, 3, 9))
    make_post(author=author, category=category, title="去年", published_at=shanghai(2018, 12, 31))
    html = client.get("/content.html").content.decode()
    assert "2019年 (共3篇)" in html
    assert "2018年 (共1篇)" in html
    assert html.index("07月") < html.index("03月") < html.index("2018年")
    assert re.search(
        r"21日: <a href=\"/archives/\d+\" lang=\"zh-CN\">七月一</a> <span class=\"count\">\(0\)",
        html,
    )


def test_sidebar_shows_search_recent_comments_categories_and_months(client, post):
    html = client.get("/").content.decode()
    assert "智能搜索" in html
    assert "最近评论" in html
    assert '数学</span> <span class="count">(1)</span></a>' in html
    month = post.published_at.astimezone(SHANGHAI)
    assert f'{month.year}年{month.month:02d}月 <span class="count">' in html


def test_rss_and_atom_feeds_list_published_posts_with_absolute_links(client, post, settings):
    settings.SITE_URL = "https://blog.example.org"
    rss = client.get("/feed/")
    atom = client.get("/feed/atom/")
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert atom["Content-Type"].startswith("application/atom+xml")
    link = f"https://blog.example.org/archives/{post.pk}"
    assert f"<link>{link}</link>" in rss.content.decode()
    assert f'href="{link}"' in atom.content.decode()


def test_robots_txt_does_not_give_away_the_admin_path(client, db, settings):
    robots = client.get("/robots.txt").content.decode()
    assert settings.ADMIN_URL.strip("/") not in robots


def test_admin_pages_ask_not_to_be_indexed(client, db):
    login = client.get("/admin/login/").content.decode()
    assert '<meta name="robots" content="NONE,NOARCHIVE">' in login


def test_sitemap_and_robots_point_at_site_url(client, post, settings):
    settings.SITE_URL = "https://blog.example.org"
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"<loc>https://blog.example.org/archives/{post.pk}</loc>" in sitemap
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: https://blog.example.org/sitemap.xml" in robots.content.decode()


def test_pages_load_mathjax_from_our_own_static_files(client, post):
    html = client.get(post.get_absolute_url()).content.decode()
    # Only when TeX is left in the page does site.js load it, from these addresses.
    assert 'data-mathjax="/static/vendor/mathjax/tex-chtml.js"' in html
    assert 'data-mathjax-config="/static/js/mathjax-config.js"' in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html
