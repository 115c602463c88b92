"""With an English browser every page speaks English; only posts and comments stay in Chinese.

A Chinese character left on a page rendered in English is an interface string without a
translation, unless it belongs to the content: inside an element marked with the content's
language (lang="zh-CN"), or one of the site's own names, titles and comments.
"""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.utils import translation

from blog.models import Category, Post, Tag
from comments.models import Comment, ReplySubscription
from comments.subscriptions import confirm_link_token, unsubscribe_link_token
from pages.models import Page
from tests.factories import make_comment, make_confirmed_subscription
from tests.sample_site import build_sample_site

CJK = re.compile(
    r"[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+"
)
# Attributes a reader sees or hears; data-* and URLs are not read out.
READ_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "label"}
CONTENT_META = ("twitter:", "citation_")
SKIPPED_ELEMENTS = {"script", "style", "textarea", "option", "noscript"}


class InterfaceText(HTMLParser):
    """Collect the text of a page outside content-language elements, with what it is in."""

    def __init__(self, content_language):
        super().__init__(convert_charrefs=True)
        self.content_language = content_language.lower()
        self.stack = []  # (tag, excluded)
        self.pieces = []

    def excluded(self):
        return any(excluded for _, excluded in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "").lower()
        excluded = tag in SKIPPED_ELEMENTS or lang.startswith(self.content_language[:2])
        if not excluded and not self.excluded():
            for name in READ_ATTRIBUTES:
                if attrs.get(name):
                    self.pieces.append(f"<{tag} {name}>: {attrs[name]}")
            if tag in ("input", "button") and attrs.get("type") in ("submit", "button", "reset"):
                self.pieces.append(f"<{tag} value>: {attrs.get('value') or ''}")
            # Share cards and citation tags (twitter:*, citation_*) repeat the post's own words.
            name = attrs.get("name") or ""
            if (
                tag == "meta"
                and name
                and name != "description"
                and not name.startswith(CONTENT_META)
            ):
                self.pieces.append(f"<meta {attrs.get('name')}>: {attrs.get('content', '')}")
        if tag not in ("input", "meta", "link", "img", "br", "hr", "source", "col", "wbr"):
            self.stack.append((tag, excluded))

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if data.strip() and not self.excluded():
            where = self.stack[-1][0] if self.stack else "?"
            self.pieces.append(f"<{where}>: {data.strip()}")


def content_strings(*extra):
    """What the author, commenters and searchers wrote: every run of Chinese in it."""
    strings = [settings.SITE_NAME, settings.SITE_DESCRIPTION, *extra]
    strings += Post.objects.values_list("title", flat=True)
    strings += Category.objects.values_list("name", flat=True)
    strings += Tag.objects.values_list("name", flat=True)
    strings += Page.objects.values_list("title", flat=True)
    for comment in Comment.objects.all():
        strings += [comment.author_name, comment.body]
    strings += [post.author_name for post in Post.objects.select_related("author")]
    return {run for text in strings for run in CJK.findall(text)}


def untranslated(html, content_runs):
    """The pieces of a page's interface that still hold Chinese not written by a person.

    A run of Chinese passes when it is a whole run of the content, or the start of one cut
    short by "…" (the admin's comment snippets).
    """
    parser = InterfaceText(settings.SITE_CONTENT_LANGUAGE)
    parser.feed(html)
    found = []
    for piece in parser.pieces:
        for match in CJK.finditer(piece):
            run = match.group()
            cut_short = piece[match.end() : match.end() + 1] == "…"
            if run in content_runs or (
                cut_short and any(known.startswith(run) for known in content_runs)
            ):
                continue
            found.append(piece[:160])
            break
    return found


@pytest.fixture
def english_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    return client


def test_every_page_rendered_in_english_has_no_chinese_outside_the_content(
    english_client, db, settings
):
    settings.COMMENTS_THREADS_PER_PAGE = 2  # so the discussion has a second page
    site = build_sample_site()
    post = Post.objects.get(pk=int(site.math_post_url.rsplit("/", 1)[1]))
    tag = Tag.objects.filter(posts=post).first()
    month = post.published_at
    pending = make_comment(post, status="pending", author_name="等待者")
    subscription = make_confirmed_subscription("reader@example.com")
    unconfirmed = ReplySubscription.objects.create(email="new-reader@example.com")
    client = english_client
    pages = {
        **site.page_urls(),
        "home page 1": "/page/1/",
        "tag": tag.get_absolute_url(),
        "month": f"/{month.year}/{month.month:02d}/",
        "search, nothing found": "/search/不存在的词语/",
        "search form": "/search/",
        "comment page 2": site.math_post_url + "/comment-page-2",
        "reply without JavaScript": site.math_post_url + "?replyTo=" + str(pending.parent_id or ""),
        "unsubscribe": f"/comments/unsubscribe/{unsubscribe_link_token(subscription)}/",
        "unsubscribe, bad link": "/comments/unsubscribe/not-a-token/",
        "confirm notifications": f"/comments/confirm/{confirm_link_token(unconfirmed)}/",
        "confirm notifications, bad link": "/comments/confirm/not-a-token/",
    }
    failures = {}
    known = content_strings("不存在的词语")
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 400, 404), (name, url, response.status_code)
        assert response.headers["Content-Language"] == "en", (name, url)
        failures[name] = untranslated(response.content.decode(), known)

    # A commenter's own comment waiting for approval, shown with its notice.
    client.cookies[settings.COMMENTS_OWN_COOKIE] = signing.get_cookie_signer(
        salt="comments.own"
    ).sign(str(pending.pk))
    failures["own pending comment"] = untranslated(
        client.get(site.math_post_url).content.decode(), known
    )
    del client.cookies[settings.COMMENTS_OWN_COOKIE]

    # The comment form sent back: with errors, and as a preview without JavaScript.
    form_url = site.math_post_url + "/comment"
    response = client.post(form_url, {"author_name": "", "body": "", "timestamp": "forged"})
    assert response.status_code == 400
    failures["comment form with errors"] = untranslated(response.content.decode(), known)
    response = client.post(form_url, {"body": r"$x^2$ **粗体**", "preview": "1"})
    failures["comment preview page"] = untranslated(response.content.decode(), known)

    # Error pages rendered outside a view.
    with translation.override("en"):
        for template in ("400.html", "500.html", "503.html", "axes_lockout.html"):
            html = render_to_string(template, {"SITE_NAME": settings.SITE_NAME})
            failures[template] = untranslated(html, known)

    # The admin, in English too.
    client.force_login(post.author)
    for name, url in {
        "admin index": "/admin/",
        "admin posts": "/admin/blog/post/",
        "admin post editor": site.admin_editor_url,
        "admin new post": "/admin/blog/post/add/",
        "admin comments": "/admin/comments/comment/",
        "admin pages": "/admin/pages/page/",
        "admin page": f"/admin/pages/page/{Page.objects.get(slug='about').pk}/change/",
        "admin categories": "/admin/blog/category/",
        "admin post history": f"/admin/blog/post/{post.pk}/history/",
        "admin comment": f"/admin/comments/comment/{pending.pk}/change/",
    }.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        failures[name] = untranslated(response.content.decode(), known)
    response = client.post("/admin/blog/post/preview/", {"title": "", "body": "$x$"})
    failures["admin preview"] = untranslated(response.content.decode(), known)

    failures = {name: found for name, found in failures.items() if found}
    assert not failures, "\n".join(f"{name}: {found}" for name, found in failures.items())


def test_the_test_finds_an_untranslated_string():
    html = '<p>Posted <span lang="zh-CN">林一</span></p><button type="submit">提交评论</button>'
    assert untranslated(html, set()) == ["<button>: 提交评论"]
    assert untranslated('<img alt="头像">', set()) == ["<img alt>: 头像"]
    assert untranslated("<p>科学空间 feed</p>", {"科学空间"}) == []
    assert untranslated("<td>科学空…</td>", {"科学空间"}) == []
    assert untranslated("<td>科学空 feed</td>", {"科学空间"}) == ["<td>: 科学空 feed"]
