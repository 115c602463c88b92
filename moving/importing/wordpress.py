"""Read a WordPress export (WXR 1.0–1.2) one item at a time, safely, into the import's shapes.

The file is read twice with lxml's iterparse, each element dropped once read, so memory does
not grow with the file: a first pass indexes what later items refer to (authors, terms,
attachments, the site's time zone), the second yields the items. The file comes from
outside: entities are never resolved, nothing is fetched, and a file with a DOCTYPE
(where external entities and entity bombs live; WordPress never writes one) is refused.
A malformed or truncated file fails in the first pass, before anything is written, with
the line where the XML broke.
"""

import html
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.utils import timezone
from lxml import etree

from blog import shortcodes

from .sources import (
    Skipped,
    SourceAttachment,
    SourceAuthor,
    SourceComment,
    SourceError,
    SourcePost,
    SourceTerm,
)

STATUSES = {
    "publish": ("published", ""),
    "future": ("published", ""),
    "draft": ("draft", ""),
    "pending": ("draft", "待审核"),
    "private": ("draft", "私密文章"),
}
SKIPPED_STATUSES = {"auto-draft": "自动草稿", "trash": "回收站中的文章"}
COMMENT_STATUSES = {
    "1": "approved",
    "approve": "approved",
    "0": "pending",
    "hold": "pending",
    "spam": "spam",
    "trash": "removed",
    "post-trashed": "removed",
}
VIEW_COUNT_KEYS = ("views", "post_views_count")
_NAMESPACES = (
    ("wordpress.org/export/", "wp"),
    ("purl.org/rss/1.0/modules/content", "content"),
    ("/export/1.", "wp"),
    ("excerpt", "excerpt"),
    ("purl.org/dc/elements", "dc"),
)
_NO_DATE = ("", "0000-00-00 00:00:00")


def _name(tag):
    """`{namespace}local` as `prefix:local`, with WordPress's prefixes whatever the version."""
    if not isinstance(tag, str):
        return ""
    if not tag.startswith("{"):
        return tag
    namespace, local = tag[1:].split("}", 1)
    for mark, prefix in _NAMESPACES:
        if mark in namespace:
            return f"{prefix}:{local}"
    return local


def _fields(element):
    """The element's children as {name: text}, and its repeated ones as lists of elements."""
    values, repeated = {}, {}
    for child in element:
        name = _name(child.tag)
        if name in ("category", "wp:postmeta", "wp:comment", "wp:commentmeta"):
            repeated.setdefault(name, []).append(child)
        else:
            text = child.text or ""
            # Bodies keep their surrounding whitespace; WordPress's line breaks are paragraphs.
            values.setdefault(name, text if name.endswith(":encoded") else text.strip())
    return values, repeated


class WordPressExport:
    """A WXR file as an import source (moving/importing/sources.py)."""

    name = "WordPress"

    def __init__(self, path):
        self.path = Path(path)
        self.notes = []
        self.channel = {}
        self.authors_by_key = {}
        self.author_ids = {}  # wp:author_id -> login
        self.term_list = []
        self.attachments = {}  # post id -> (url, parent id, title, caption)
        self.children = {}  # parent id -> [attachment ids]
        self.types = Counter()
        self.highest_id = 0
        self.utc_offset = None
        self._index()
        base = self.channel.get("wp:base_blog_url") or self.channel.get("link") or str(self.path)
        self.identity = f"wordpress:{base.rstrip('/')}"
        self.host = urlsplit(base).netloc.lower()
        # Where the site's own files live, for telling its uploads from another site's.
        self.hosts = {self.host} | {
            urlsplit(self.channel.get(name, "")).netloc.lower()
            for name in ("wp:base_site_url", "wp:base_blog_url", "link")
        }
        self.hosts |= {urlsplit(url).netloc.lower() for url, *_ in self.attachments.values()}
        self.hosts.discard("")
        self.total = sum(self.types.values())

    # Reading the file ----------------------------------------------------------------------

    def _channel_children(self):
        """Yield each child of <channel> as it ends; drop it (and what came before) afterwards."""
        try:
            events = etree.iterparse(
                str(self.path),
                events=("start", "end"),
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=False,
                remove_comments=True,
                remove_pis=True,
            )
            depth = 0
            for event, element in events:
                if event == "start":
                    if depth == 0:
                        self._check_document(element)
                    depth += 1
                    continue
                depth -= 1
                if depth == 2:
                    yield element
                    element.clear(keep_tail=False)
                    parent = element.getparent()
                    while element.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as error:
            raise SourceError(
                f"{self.path.name} 第 {error.lineno} 行：文件不是完整的 XML，可能已损坏或不完整"
                f"（{error.msg}）。"
            ) from error
        except OSError as error:
            raise SourceError(f"无法读取 {self.path}：{error}") from error

    def _check_document(self, root):
        info = root.getroottree().docinfo
        if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
            raise SourceError(
                f"{self.path.name} 含有 DOCTYPE 声明（外部实体或实体炸弹就藏在这里）。"
                "WordPress 的导出文件没有 DOCTYPE，出于安全考虑拒绝导入。"
            )
        if _name(root.tag) != "rss":
            raise SourceError(
                f"{self.path.name} 不是 WordPress 导出文件："
                f"根元素是 <{_name(root.tag)}>，应为 <rss>。"
            )

    def _index(self):
        seen_channel = False
        for element in self._channel_children():
            seen_channel = True
            name = _name(element.tag)
            if name == "item":
                self._index_item(element)
            elif name == "wp:author":
                self._index_author(element)
            elif name in ("wp:category", "wp:tag"):
                self._index_term(element, name)
            elif name in (
                "title",
                "link",
                "wp:base_blog_url",
                "wp:base_site_url",
                "wp:wxr_version",
            ):
                self.channel[name] = (element.text or "").strip()
        if not seen_channel or "wp:wxr_version" not in self.channel:
            raise SourceError(
                f"{self.path.name} 不是 WordPress 导出文件（没有 <wp:wxr_version>）。"
                "请在 WordPress 后台用“工具 → 导出”导出全部内容。"
            )

    def _index_author(self, element):
        values, _ = _fields(element)
        login = values.get("wp:author_login", "")
        if not login:
            return
        self.authors_by_key[login] = SourceAuthor(
            key=login,
            login=login,
            email=values.get("wp:author_email", ""),
            display_name=values.get("wp:author_display_name", ""),
        )
        if values.get("wp:author_id"):
            self.author_ids[values["wp:author_id"]] = login

    def _index_term(self, element, name):
        values, _ = _fields(element)
        if name == "wp:category":
            slug = unquote(values.get("wp:category_nicename", ""))
            parent = unquote(values.get("wp:category_parent", ""))
            term = SourceTerm(
                kind="category",
                key=f"category:{slug}",
                name=values.get("wp:cat_name", "") or slug,
                slug=slug,
                description=values.get("wp:category_description", ""),
            )
            term.old_paths.append(f"/?cat={values.get('wp:term_id', '')}")
            if parent:
                term.old_paths.append(f"/category/{parent}/{slug}/")
        else:
            slug = unquote(values.get("wp:tag_slug", ""))
            term = SourceTerm(
                kind="tag", key=f"tag:{slug}", name=values.get("wp:tag_name", "") or slug, slug=slug
            )
            term.old_paths.append(f"/?tag={slug}")
        if slug:
            self.term_list.append(term)

    def _index_item(self, element):
        values, _repeated = _fields(element)
        kind = values.get("wp:post_type", "post")
        self.types[kind] += 1
        post_id = _integer(values.get("wp:post_id"))
        if post_id and kind in ("post", "page"):
            self.highest_id = max(self.highest_id, post_id)
        if self.utc_offset is None:
            local, utc = values.get("wp:post_date", ""), values.get("wp:post_date_gmt", "")
            local, utc = _parse(local), _parse(utc)
            if local is not None and utc is not None:
                self.utc_offset = local - utc
        if kind == "attachment" and post_id:
            parent = _integer(values.get("wp:post_parent"))
            self.attachments[post_id] = (
                values.get("wp:attachment_url", "") or values.get("guid", ""),
                parent,
                values.get("title", ""),
                values.get("excerpt:encoded", ""),
            )
            if parent:
                self.children.setdefault(parent, []).append(post_id)

    # The source's items --------------------------------------------------------------------

    def authors(self):
        return list(self.authors_by_key.values())

    def terms(self):
        return list(self.term_list)

    def items(self):
        for element in self._channel_children():
            if _name(element.tag) == "item":
                yield self._item(element)

    def _item(self, element):
        values, repeated = _fields(element)
        kind = values.get("wp:post_type", "post")
        title = values.get("title", "")
        status = values.get("wp:status", "publish")
        if kind == "attachment":
            return self._attachment(values)
        if kind not in ("post", "page"):
            return Skipped(f"{kind} 类型的条目", title)
        if status in SKIPPED_STATUSES:
            return Skipped(SKIPPED_STATUSES[status], title)
        post_id = _integer(values.get("wp:post_id"))
        site_status, reason = STATUSES.get(status, ("draft", f"状态为 {status}"))
        if values.get("wp:post_password") and site_status == "published":
            site_status, reason = "draft", "密码保护"
        published_at = self._moment(values.get("wp:post_date_gmt"), values.get("wp:post_date"))
        slug = unquote(values.get("wp:post_name", ""))
        body = values.get("content:encoded", "")
        if post_id:
            body = self._expand_galleries(body, post_id)
        metas = {_meta_key(meta): _meta_value(meta) for meta in repeated.get("wp:postmeta", [])}
        categories, tags = [], []
        for category in repeated.get("category", []):
            nicename = unquote(category.get("nicename", ""))
            domain = category.get("domain", "")
            if not nicename:
                continue
            if domain == "category":
                key = f"category:{nicename}"
                categories.append(key)
            elif domain == "post_tag":
                key = f"tag:{nicename}"
                tags.append(key)
            else:
                continue
            if not any(term.key == key for term in self.term_list):
                self.term_list.append(
                    SourceTerm(
                        kind=domain.replace("post_tag", "tag"),
                        key=key,
                        name=(category.text or nicename).strip(),
                        slug=nicename,
                    )
                )
        return SourcePost(
            kind=kind,
            key=str(post_id or values.get("guid") or title),
            title=title,
            slug=slug,
            body=body,
            body_format="html",
            author_key=values.get("dc:creator", ""),
            published_at=published_at,
            updated_at=self._moment(
                values.get("wp:post_modified_gmt"), values.get("wp:post_modified"), published_at
            ),
            status=site_status,
            draft_reason=reason if site_status == "draft" else "",
            category_keys=categories,
            tag_keys=tags,
            is_pinned=values.get("wp:is_sticky") == "1",
            comments_open=values.get("wp:comment_status", "open") == "open",
            views=max((_integer(metas.get(key)) or 0) for key in VIEW_COUNT_KEYS),
            order=_integer(values.get("wp:menu_order")) or 0,
            wanted_id=post_id,
            old_paths=self._old_paths(values, post_id, kind, slug, published_at, metas, repeated),
            comments=[self._comment(comment) for comment in repeated.get("wp:comment", [])],
            where=f"第 {element.sourceline} 行",
        )

    def _old_paths(self, values, post_id, kind, slug, published_at, metas, repeated):
        paths = [values.get("link", "")]
        guid = values.get("guid", "")
        if urlsplit(guid).netloc.lower() == self.host:
            paths.append(guid)
        if post_id:
            paths.append(f"/?{'page_id' if kind == 'page' else 'p'}={post_id}")
        local = timezone.localtime(published_at, timezone.get_fixed_timezone(self._offset()))
        old_slugs = [
            unquote(_meta_value(meta))
            for meta in repeated.get("wp:postmeta", [])
            if _meta_key(meta) == "_wp_old_slug"
        ]
        for name in filter(None, [slug, *old_slugs]):
            if kind == "page":
                # A page's permalink is its slug (under its parents': the export's link).
                paths += [f"/{name}/", f"/index.php/{name}/"]
                continue
            paths += [
                f"/{local:%Y/%m/%d}/{name}/",
                f"/{local:%Y/%m}/{name}/",
                f"/{name}/",
                f"/index.php/{local:%Y/%m/%d}/{name}/",
            ]
        return paths

    def _attachment(self, values):
        post_id = _integer(values.get("wp:post_id"))
        url = values.get("wp:attachment_url", "") or values.get("guid", "")
        path = urlsplit(url).path
        marker = path.find("/uploads/")
        return SourceAttachment(
            key=str(post_id),
            parent_key=str(_integer(values.get("wp:post_parent")) or "") or None,
            url=url,
            upload_path=unquote(path[marker + len("/uploads/") :]) if marker >= 0 else "",
            title=html.unescape(values.get("title", "")),
            old_paths=[values.get("link", ""), f"/?attachment_id={post_id}"] if post_id else [],
        )

    def _comment(self, element):
        values, _ = _fields(element)
        kind = values.get("wp:comment_type", "") or "comment"
        parent = values.get("wp:comment_parent", "0")
        user = self.author_ids.get(values.get("wp:comment_user_id", "0"))
        return SourceComment(
            key=values.get("wp:comment_id", ""),
            parent_key=parent if parent not in ("", "0") else None,
            author_name=html.unescape(values.get("wp:comment_author", "")),
            author_email=values.get("wp:comment_author_email", ""),
            author_url=values.get("wp:comment_author_url", ""),
            ip_address=values.get("wp:comment_author_IP", ""),
            user_agent=values.get("wp:comment_agent", ""),
            body=values.get("wp:comment_content", ""),
            created_at=self._moment(
                values.get("wp:comment_date_gmt"), values.get("wp:comment_date")
            ),
            status=COMMENT_STATUSES.get(values.get("wp:comment_approved", "0"), "pending"),
            kind=kind,
            author_key=user,
        )

    def _expand_galleries(self, body, post_id):
        """[gallery] as the figures of its images: only the export knows which ones they are."""
        if "[gallery" not in body:
            return body

        def gallery(shortcode):
            ids = [
                _integer(value)
                for value in re.split(r"[,\s]+", shortcode.attributes.get("ids", ""))
                if value
            ]
            images = [i for i in ids if i in self.attachments] or self.children.get(post_id, [])
            columns = _integer(shortcode.attributes.get("columns")) or 3
            figures = "".join(self._gallery_figure(i) for i in images)
            return f'<div class="gallery gallery-columns-{min(columns, 9)}">{figures}</div>'

        return shortcodes.replace_shortcodes(body, ("gallery",), gallery)

    def _gallery_figure(self, attachment_id):
        url, _parent, title, caption = self.attachments[attachment_id]
        image = f'<img src="{html.escape(url)}" alt="{html.escape(title)}">'
        text = f"<figcaption>{caption}</figcaption>" if caption.strip() else ""
        return (
            f'<figure class="gallery-item"><a href="{html.escape(url)}">{image}</a>{text}</figure>'
        )

    # Times ---------------------------------------------------------------------------------

    def _offset(self):
        if self.utc_offset is None:
            return timezone.localtime().utcoffset()
        return self.utc_offset

    def _moment(self, utc, local, default=None):
        """A time from WordPress's UTC column, else its local one at the site's offset."""
        if utc and utc not in _NO_DATE:
            moment = _parse(utc)
            if moment is not None:
                return moment.replace(tzinfo=UTC)
        if local and local not in _NO_DATE:
            moment = _parse(local)
            if moment is not None:
                return (moment - self._offset()).replace(tzinfo=UTC)
        return default or timezone.now()


def _parse(text):
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except (ValueError, AttributeError):
        return None


def _integer(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _meta_key(meta):
    values, _ = _fields(meta)
    return values.get("wp:meta_key", "")


def _meta_value(meta):
    values, _ = _fields(meta)
    return values.get("wp:meta_value", "")
