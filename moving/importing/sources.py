"""What an import source gives, whatever engine it comes from: the shapes the importer reads.

A reader (wordpress.py, typecho.py) turns its engine's export or database into these, one
item at a time, so the importer never holds a whole site in memory.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class SourceError(Exception):
    """The source cannot be imported; the message says why (and where, for a file)."""


@dataclass
class SourceAuthor:
    key: str  # how the source's posts and comments name this author
    login: str
    email: str = ""
    display_name: str = ""


@dataclass
class SourceTerm:
    kind: str  # "category" or "tag"
    key: str
    name: str
    slug: str  # as the source's URLs spell it (decoded)
    description: str = ""
    old_paths: list[str] = field(default_factory=list)


@dataclass
class SourceComment:
    key: str
    parent_key: str | None
    author_name: str
    author_email: str
    author_url: str
    ip_address: str
    user_agent: str
    body: str  # as the source stores it: HTML or plain text
    created_at: datetime
    status: str  # approved, pending, spam or removed
    kind: str = "comment"  # comment, pingback, trackback, ...
    author_key: str | None = None  # the source's author, if a logged-in one wrote it


@dataclass
class SourcePost:
    """A post or a page, with its comments."""

    kind: str  # "post" or "page"
    key: str
    title: str
    slug: str
    body: str
    body_format: str  # "markdown" or "html"
    author_key: str
    published_at: datetime
    updated_at: datetime
    status: str  # "published" or "draft"
    draft_reason: str = ""  # why a post that was not a draft in the source comes in as one
    category_keys: list[str] = field(default_factory=list)
    tag_keys: list[str] = field(default_factory=list)
    is_pinned: bool = False
    comments_open: bool = True
    views: int = 0
    order: int = 0  # a page's place among the pages
    in_navigation: bool = False  # whether the source's theme lists the page in its header
    wanted_id: int | None = None
    old_paths: list[str] = field(default_factory=list)
    comments: list[SourceComment] = field(default_factory=list)
    where: str = ""  # where in the source it is, for messages ("第 120 行")


@dataclass
class SourceAttachment:
    key: str
    parent_key: str | None
    url: str
    upload_path: str  # relative to the uploads folder, when known
    title: str = ""
    old_paths: list[str] = field(default_factory=list)


@dataclass
class Skipped:
    """An item the import leaves out, and why (counted in the summary)."""

    reason: str
    title: str = ""


class Source(Protocol):
    name: str  # "WordPress" or "Typecho"
    identity: str  # what tells this site apart from others (ImportedItem.source)
    notes: list[str]  # what the summary should say about the source itself
    highest_id: int  # the largest post id the source uses
    total: int  # items to expect, for the progress bar

    def authors(self) -> list[SourceAuthor]: ...

    def terms(self) -> list[SourceTerm]: ...

    def items(self) -> Iterator[SourcePost | SourceAttachment | Skipped]: ...
