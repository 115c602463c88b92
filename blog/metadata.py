"""What a post tells machines about itself: share cards, JSON-LD and Google Scholar's tags.

Share cards (OpenGraph, Twitter) need a plain description: the excerpt with its formulas
read as text (core/plaintext.py). Reference managers and scholarly indexes read Google
Scholar's `citation_*` tags, the same citation the 引用 box shows; a post whose body ends in
a references section (a heading such as 参考文献 or References over a list) gets one
`citation_reference` per item, as Quarto's `google-scholar: true` emits them.
"""

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from django.conf import settings
from django.utils import timezone
from lxml import etree

from core import plaintext

DESCRIPTION_LENGTH = 160
REFERENCE_HEADINGS = re.compile(
    r"^\s*(参考文献|参考资料|引用文献|references|bibliography|works cited)\s*[:：]?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Metadata:
    title: str
    description: str
    url: str
    image: str  # absolute URL of the post's first picture, or "" (the site's icon stands in)
    author: str
    published: str  # ISO 8601
    modified: str
    scholar_date: str  # YYYY/MM/DD, as Google Scholar asks
    references: list[str]


def describe(text_html: str, length: int = DESCRIPTION_LENGTH) -> str:
    """A plain-text description of rendered HTML, formulas readable, never cut inside one."""
    return plaintext.snippet_of(text_html, length)


def of_post(post) -> Metadata:
    published = timezone.localtime(post.published_at)
    modified = timezone.localtime(post.updated_at or post.published_at)
    return Metadata(
        title=post.title,
        description=describe(post.excerpt_html),
        url=post.absolute_url,
        image=first_image(post.body_html, post.absolute_url),
        author=post.author_name,
        published=published.replace(microsecond=0).isoformat(),
        modified=modified.replace(microsecond=0).isoformat(),
        scholar_date=published.strftime("%Y/%m/%d"),
        references=references(post.body_html),
    )


def first_image(body_html: str, base_url: str) -> str:
    """The absolute address of the first picture in the body, or ""."""
    match = re.search(r"<img\b[^>]*?\bsrc=\"([^\"]+)\"", body_html or "")
    if not match:
        return ""
    address = lxml.html.fromstring(f"<p>{match.group(1)}</p>").text_content()
    return urljoin(base_url, address)


def references(body_html: str) -> list[str]:
    """The items of the body's references section as plain text, in order."""
    if not body_html or "<h" not in body_html:
        return []
    try:
        root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    except etree.ParserError:
        return []
    items = []
    for heading in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        if not REFERENCE_HEADINGS.match(heading.text_content().replace("#", "")):
            continue
        sibling = heading.getnext()
        while sibling is not None and sibling.tag not in ("ol", "ul"):
            if re.fullmatch(r"h[1-6]", str(sibling.tag)):
                break
            sibling = sibling.getnext()
        if sibling is not None and sibling.tag in ("ol", "ul"):
            for item in sibling.findall("li"):
                text = describe(etree.tostring(item, encoding="unicode"), 1000)
                if text:
                    items.append(text)
    return items


def blog_posting(post, meta: Metadata, *, site_name: str, logo: str) -> dict:
    """schema.org's BlogPosting for the post, as JSON-LD."""
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": meta.title,
        "description": meta.description,
        "url": meta.url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": meta.url},
        "datePublished": meta.published,
        "dateModified": meta.modified,
        "author": {"@type": "Person", "name": meta.author},
        "publisher": {
            "@type": "Organization",
            "name": site_name,
            "logo": {"@type": "ImageObject", "url": logo},
        },
        "image": meta.image or logo,
        "inLanguage": settings.SITE_CONTENT_LANGUAGE,
    }
    if meta.references:
        data["citation"] = [{"@type": "CreativeWork", "name": ref} for ref in meta.references]
    return data
