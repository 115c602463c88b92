"""The import itself: one transaction in which each app writes its own rows from a source's items.

Order: authors, categories and tags, then the items as the source streams them (each post
and page with its comments; attachments and the files bodies show through files.py), then
what the site derives (comment counts, the post id sequence, redirects of attachment
pages), and the content version last, so caches, feeds and the sitemap show the import at
once. Files copied into media storage are not part of the transaction: if it rolls back,
the files of the library rows it added are removed again.
"""

import hashlib
import html
import ipaddress
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils.html import strip_tags
from django.utils.text import slugify

from blog import importing as blog_importing
from blog import shortcodes
from blog.models import Category, Post, Tag
from comments import importing as comments_importing
from comments.models import Comment
from core import content_version
from pages import services as pages_services
from pages.models import Page
from redirects.importing import add_redirects
from redirects.models import normalize_old

from ..models import ImportedItem
from .files import UploadedFiles
from .sources import Skipped, Source, SourceAttachment, SourceError, SourcePost
from .summary import Summary

TITLE_LENGTH = Post._meta.get_field("title").max_length
COMMENT_STATUSES = set(Comment.Status.values)
REDIRECT_BATCH = 500


def run_import(
    source: Source,
    *,
    dry_run: bool = False,
    uploads_dir=None,
    progress: Callable[[Iterable, int], Iterable] | None = None,
) -> Summary:
    """Import everything the source holds, all or nothing; with dry_run, roll it all back."""
    summary = Summary(source.name, dry_run=dry_run, uploads_given=uploads_dir is not None)
    summary.notes.extend(source.notes)
    work = _Import(source, summary, uploads_dir)
    try:
        with transaction.atomic():
            work.run(progress)
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as error:
        work.files.discard_new_files()
        raise SourceError(f"数据库拒绝了导入的数据，站点保持原样：{error}") from error
    except BaseException:
        work.files.discard_new_files()
        raise
    return summary


def fingerprint(item, **replaced) -> str:
    """A hash of what the source says about an item (its comments left out).

    `replaced` overrides fields, such as the body as rewritten to copied files' URLs, so an
    import that now has the files updates what an import without them made.
    """
    data = asdict(item)
    data.update(replaced)
    data.pop("comments", None)
    data.pop("where", None)  # moves when lines are added above; says nothing of the item
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class _Import:
    def __init__(self, source, summary, uploads_dir):
        self.source = source
        self.summary = summary
        self.identity = source.identity[:300]
        self.files = UploadedFiles(
            summary,
            uploads_dir,
            identity=self.identity,
            hosts=getattr(source, "hosts", ()),
        )
        self.users = {}
        self.categories = {}  # term key -> Category
        self.tags = {}  # term key -> Tag
        self.terms = {}  # term key -> SourceTerm
        self.posts = {}  # source post or page key -> its url
        self.redirects = []
        self.claimed = set()  # old addresses given out in this import: the first claim wins
        self.commented = set()
        self.commented_pages = set()
        self.attachment_pages = []

    def run(self, progress):
        self.threads = comments_importing.NewThreads()
        self.ids = blog_importing.PostIds(self.source.highest_id)
        self._import_users()
        self._import_terms()
        items = self.source.items()
        if progress is not None:
            items = progress(items, self.source.total)
        for item in items:
            if isinstance(item, Skipped):
                self.summary.skipped[item.reason] += 1
            elif isinstance(item, SourceAttachment):
                self.files.attachment(item)
                self.attachment_pages.append(item)
            elif item.kind == "page":
                self._import_page(item)
            else:
                self._import_post(item)
        self._finish()

    # Authors and terms ---------------------------------------------------------------------

    def _import_users(self):
        User = get_user_model()
        length = User._meta.get_field("username").max_length
        for author in self.source.authors():
            login = (author.login or author.key).strip()[:length]
            user = User.objects.filter(username=login).first()
            if user is None:
                user = User(
                    username=login,
                    email=_email(author.email),
                    first_name=(author.display_name or "")[:150],
                )
                user.set_unusable_password()
                user.save()
                self.summary.users["created"] += 1
            else:
                self.summary.users["reused"] += 1
            self.users[author.key] = user

    def _fallback_author(self):
        if not self.users:
            User = get_user_model()
            user, created = User.objects.get_or_create(username=f"{self.source.name.lower()}")
            if created:
                user.set_unusable_password()
                user.save()
            self.summary.users["created" if created else "reused"] += 1
            self.users[""] = user
        return next(iter(self.users.values()))

    def _import_terms(self):
        for term in self.source.terms():
            self.terms[term.key] = term
            if term.kind == "category":
                category = self._category(term)
                self._redirect_term(term, category, "/category/")
            else:
                tag = self._tag(term)
                self._redirect_term(term, tag, "/tag/")

    def _category(self, term):
        if term.key not in self.categories:
            slug = blog_importing.clean_slug(term.slug, f"category-{term.key}")
            category, created = blog_importing.ensure_category(
                name=term.name, slug=slug, description=term.description
            )
            self.summary.categories["created" if created else "reused"] += 1
            self.categories[term.key] = category
        return self.categories[term.key]

    def _tag(self, term):
        if term.key not in self.tags:
            slug = blog_importing.clean_slug(term.slug, f"tag-{term.key}")
            tag, created = blog_importing.ensure_tag(name=term.name, slug=slug)
            self.summary.tags["created" if created else "reused"] += 1
            self.tags[term.key] = tag
        return self.tags[term.key]

    def _redirect_term(self, term, saved, prefix):
        paths = [*term.old_paths, f"{prefix}{term.slug}/"]
        self._redirect(paths, saved.get_absolute_url())

    # Posts ---------------------------------------------------------------------------------

    def _import_post(self, item: SourcePost):
        fields = self._post_fields(item)
        print_ = fingerprint(item, body=fields.body)
        record = self._record(ImportedItem.Kind.POST, item.key)
        if record is not None:
            post = Post.objects.filter(pk=record.object_id).first()
            if post is None:
                self.summary.posts["deleted_here"] += 1
                return
            if record.fingerprint == print_:
                self.summary.posts["unchanged"] += 1
            else:
                blog_importing.update_post(post, fields)
                self._count_shortcodes(item)
                record.fingerprint = print_
                record.save()
                self.summary.posts["updated"] += 1
        else:
            post_id = self.ids.choose(item.wanted_id)
            post = blog_importing.create_post(post_id=post_id, fields=fields)
            self._count_shortcodes(item)
            ImportedItem.objects.create(
                source=self.identity,
                kind=ImportedItem.Kind.POST,
                source_id=item.key,
                object_id=post.pk,
                fingerprint=print_,
            )
            self.summary.posts["created"] += 1
            if item.wanted_id and post.pk != item.wanted_id:
                self.summary.changed_ids.append((str(item.wanted_id), post.pk, post.title))
        self._count_status(post, item)
        url = post.get_absolute_url()
        self.posts[item.key] = url
        old_paths = list(item.old_paths)
        if item.wanted_id and item.wanted_id != post.pk:
            old_paths += [f"/archives/{item.wanted_id}", f"/archives/{item.wanted_id}/"]
        self._redirect(old_paths, url)
        self._import_comments(item, post_id=post.pk)

    # Pages ---------------------------------------------------------------------------------

    def _import_page(self, item: SourcePost):
        """A page of the source as a page here at /<slug>.html, with its comments."""
        body = self.files.rewrite_body(item.body)
        print_ = fingerprint(item, body=body)
        record = self._record(ImportedItem.Kind.PAGE, item.key)
        if record is not None:
            page = Page.objects.filter(pk=record.object_id).first()
            if page is None:
                self.summary.pages["deleted_here"] += 1
                return
            if record.fingerprint == print_:
                self.summary.pages["unchanged"] += 1
            else:
                # The author's own choices here (slug, navigation) stay; the source's the rest.
                page = self._save_page(item, body, slug=page.slug, in_navigation=page.in_navigation)
                record.fingerprint = print_
                record.save()
                self.summary.pages["updated"] += 1
        else:
            fallback = f"page-{item.wanted_id or item.key}"
            slug = pages_services.free_slug(item.slug, fallback=fallback)
            page = self._save_page(
                item,
                body,
                slug=slug,
                in_navigation=item.in_navigation and item.status == Page.Status.PUBLISHED,
            )
            ImportedItem.objects.create(
                source=self.identity,
                kind=ImportedItem.Kind.PAGE,
                source_id=item.key,
                object_id=page.pk,
                fingerprint=print_,
            )
            self.summary.pages["created"] += 1
            cleaned = slugify(item.slug, allow_unicode=True)[: pages_services.SLUG_LENGTH]
            if cleaned.strip("-") and slug != cleaned.strip("-"):
                # Taken here by a page of this site, or a name the site keeps for itself.
                self.summary.changed_slugs.append((item.slug, slug, page.title))
        self.summary.pages["drafts" if page.is_draft else "published"] += 1
        if page.is_draft and item.draft_reason:
            self.summary.listed_drafts.append((page.title, item.draft_reason))
        url = page.get_absolute_url()
        self.posts[item.key] = url
        self._redirect(item.old_paths, url)
        self._import_comments(item, page_id=page.pk)

    def _save_page(self, item, body, *, slug, in_navigation):
        author = self.users.get(item.author_key) or self._fallback_author()
        title = " ".join(html.unescape(strip_tags(item.title or "")).split())
        return pages_services.import_page(
            slug=slug,
            title=title or "（无标题）",
            body=body,
            body_format=item.body_format,
            author_id=author.pk,
            status=Page.Status.PUBLISHED if item.status == "published" else Page.Status.DRAFT,
            published_at=item.published_at,
            updated_at=item.updated_at,
            order=item.order,
            in_navigation=in_navigation,
            comments_open=item.comments_open,
        ).page

    def _record(self, kind, key):
        """What an earlier import of this source made of the item, if it did."""
        return ImportedItem.objects.of(self.identity, kind, [key]).get(key)

    def _post_fields(self, item):
        categories = [key for key in item.category_keys if key in self.terms]
        if categories:
            category = self._category(self.terms[categories[0]])
        else:
            category = self._uncategorized()
        tags = [self._tag(self.terms[key]) for key in item.tag_keys if key in self.terms]
        # Post has one category: a source's further categories become tags of the same name.
        for key in categories[1:]:
            term = self.terms[key]
            tags.append(self._tag_for_category(term))
        author = self.users.get(item.author_key) or self._fallback_author()
        # WordPress lets a title carry markup; here a title is text (feeds, citations, BibTeX).
        title = " ".join(html.unescape(strip_tags(item.title or "")).split())
        title = title[:TITLE_LENGTH] or "（无标题）"
        return blog_importing.PostFields(
            title=title,
            body=self.files.rewrite_body(item.body),
            body_format=item.body_format,
            author_id=author.pk,
            category_id=category.pk,
            tag_ids=sorted({tag.pk for tag in tags}),
            status=item.status,
            published_at=item.published_at,
            updated_at=item.updated_at,
            views=max(0, int(item.views or 0)),
            is_pinned=item.is_pinned,
            comments_open=item.comments_open,
        )

    def _uncategorized(self):
        if "" not in self.categories:
            category, created = blog_importing.ensure_category(name="未分类", slug="uncategorized")
            self.summary.categories["created" if created else "reused"] += 1
            self.categories[""] = category
        return self.categories[""]

    def _tag_for_category(self, term):
        key = f"category-as-tag:{term.key}"
        if key not in self.tags:
            slug = blog_importing.clean_slug(term.slug, f"tag-{term.key}")
            tag, created = blog_importing.ensure_tag(name=term.name, slug=slug)
            self.summary.tags["created" if created else "reused"] += 1
            self.tags[key] = tag
        return self.tags[key]

    def _count_status(self, post, item):
        if post.status == Post.Status.DRAFT:
            self.summary.drafts += 1
            if item.draft_reason:
                self.summary.listed_drafts.append((post.title, item.draft_reason))
        elif post.is_public:
            self.summary.published += 1
        else:
            self.summary.scheduled += 1

    def _count_shortcodes(self, item):
        if item.body_format == Post.Format.HTML:
            self.summary.unknown_shortcodes.update(shortcodes.unknown_shortcodes(item.body))

    # Comments ------------------------------------------------------------------------------

    def _import_comments(self, item, *, post_id=None, page_id=None):
        comments = []
        for comment in item.comments:
            if comment.kind != "comment":
                self.summary.pings_skipped[comment.kind] += 1
            else:
                comments.append(comment)
        if not comments:
            return
        records = ImportedItem.objects.of(
            self.identity, ImportedItem.Kind.COMMENT, [c.key for c in comments]
        )
        author = self.users.get(item.author_key)
        prints, fields = {}, []
        for comment in sorted(comments, key=lambda c: c.created_at):
            prints[comment.key] = fingerprint(comment)
            record = records.get(comment.key)
            fields.append(self._comment_fields(comment, item, author, record, prints))
        result = comments_importing.import_comments(
            post_id=post_id, page_id=page_id, comments=fields, threads=self.threads
        )
        self._record_comments(result, records, prints)
        statuses = {c.key: c.status for c in fields}
        for key in result.created:
            self.summary.comments[statuses[key]] += 1
        self.summary.comments["created"] += len(result.created)
        for name in ("updated", "unchanged", "reattached", "unrenderable", "deleted_here"):
            self.summary.comments[name] += len(getattr(result, name))
        if post_id is not None:
            self.commented.add(post_id)
        else:
            self.commented_pages.add(page_id)

    def _comment_fields(self, comment, item, author, record, prints):
        user = self.users.get(comment.author_key) if comment.author_key else None
        by_post_author = (user is not None and comment.author_key == item.author_key) or (
            author is not None
            and bool(author.email)
            and comment.author_email.strip().lower() == author.email.lower()
        )
        status = comment.status if comment.status in COMMENT_STATUSES else "pending"
        return comments_importing.CommentFields(
            key=comment.key,
            parent_key=comment.parent_key,
            author_name=" ".join(comment.author_name.split())[:50] or "匿名",
            author_email=_email(comment.author_email),
            author_url=_web_address(comment.author_url),
            ip_address=_ip(comment.ip_address),
            user_agent=(comment.user_agent or "")[:300],
            body=comments_importing.markdown_from_html(comment.body),
            status=status,
            created_at=comment.created_at,
            user_id=user.pk if user is not None else None,
            is_post_author=by_post_author,
            existing_pk=record.object_id if record is not None else None,
            changed=record is None or record.fingerprint != prints[comment.key],
        )

    def _record_comments(self, result, records, prints):
        created = [
            ImportedItem(
                source=self.identity,
                kind=ImportedItem.Kind.COMMENT,
                source_id=key,
                object_id=result.ids[key],
                fingerprint=prints[key],
            )
            for key in result.created
        ]
        ImportedItem.objects.bulk_create(created, batch_size=500)
        refreshed = []
        for key in (*result.updated, *result.unchanged):
            record = records.get(key)
            if record is not None and record.fingerprint != prints[key]:
                record.fingerprint = prints[key]
                refreshed.append(record)
        ImportedItem.objects.bulk_update(refreshed, ["fingerprint"], batch_size=500)

    # Redirects and the end -----------------------------------------------------------------

    def _redirect(self, old_paths, url):
        for old in old_paths:
            normalized = normalize_old(old)
            if normalized and normalized not in self.claimed:
                self.claimed.add(normalized)
                self.redirects.append((normalized, url))
        if len(self.redirects) >= REDIRECT_BATCH:
            self._flush_redirects()

    def _flush_redirects(self):
        add_redirects(
            self.redirects, note=f"导入自 {self.source.name}", counts=self.summary.redirects
        )
        self.redirects = []

    def _finish(self):
        for attachment in self.attachment_pages:
            target = self.files.attachment_target(attachment) or self.posts.get(
                attachment.parent_key
            )
            if target:
                self._redirect(attachment.old_paths, target)
        self._flush_redirects()
        comments_importing.refresh_counts(self.commented, self.commented_pages)
        blog_importing.reset_post_ids()
        self.summary.categories["total"] = Category.objects.count()
        self.summary.tags["total"] = Tag.objects.count()
        # Bulk writes send no signals: retire every cached page now, inside the transaction.
        content_version.bump()


def _email(value):
    value = (value or "").strip()[:254]
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def _web_address(value):
    value = (value or "").strip()
    if len(value) > 200 or not re.match(r"https?://[^\s/]+", value, re.IGNORECASE):
        return ""
    return value


def _ip(value):
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None
