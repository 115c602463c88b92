"""Attachments and the pictures bodies show: copied from an uploads folder into the media library.

With `--uploads-dir` (a copy of WordPress's wp-content/uploads or Typecho's usr/uploads),
every file an attachment names, and every file a post's or page's body points at under the
source's `/uploads/` folder, goes in through media.services.store_file (checked, cleaned,
given its sizes) and the body is rewritten to the new URL. A WordPress resized variant
(`photo-300x200.jpg`, also `-scaled`) points at its original: the library makes its own
sizes. Nothing is ever fetched over the network: a file not in the folder is listed in the
summary and the body keeps the original URL.

Each copied file is recorded (ImportedItem, kind attachment, keyed by its path in the
uploads folder, with the SHA-256 of the file as found there), so a second run finds it
without storing or processing it again. A dry run only looks at the folder.
"""

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage

from media.models import MediaFile
from media.services import Rejected, store_file, too_large

from ..models import ImportedItem
from .sources import SourceAttachment
from .summary import Summary

# A URL (absolute, protocol-relative or a root path) with `/uploads/` in its path; the part
# after it is the file's place in the uploads folder. Ends where a URL in HTML or Markdown ends.
_URL_CHARS = r"[^\s\"'<>()\[\]]"
UPLOAD_URL = re.compile(
    rf"(?:(?:https?:)?//(?P<host>[^/\s\"'<>()\[\]]+)|(?<![\w.\-/]))"
    rf"/(?:{_URL_CHARS}*?/)?uploads/(?P<path>[^\s\"'<>()\[\]?#]+)",
    re.IGNORECASE,
)
VARIANT = re.compile(r"^(?P<stem>.+?)(?:-\d+x\d+|-scaled|-rotated)(?P<ext>\.\w+)$")
SOURCE_ID_LENGTH = ImportedItem._meta.get_field("source_id").max_length


class UploadedFiles:
    """The import's files: attachments copied, bodies rewritten, attachment pages' targets."""

    def __init__(self, summary: Summary, uploads_dir: Path | None, *, identity: str, hosts=()):
        self.summary = summary
        self.identity = identity
        self.uploads_dir = uploads_dir.resolve() if uploads_dir is not None else None
        # The source's own hosts: a reference to another site's uploads folder is left alone.
        self.hosts = {host.lower() for host in hosts if host}
        self.found = {}  # upload path -> new URL, or None when the file is not there
        self.created = []  # MediaFile rows this import added (their files go if it fails)
        self.attachment_urls = {}  # attachment key -> new URL of its file

    def attachment(self, item: SourceAttachment) -> None:
        self.summary.attachments["seen"] += 1
        if self.uploads_dir is None:
            self.summary.attachments["not_copied"] += 1
            return
        if not item.upload_path:
            self._missing(item.url or item.title)
            return
        url = self._file(item.upload_path, title=item.title)
        if url is not None:
            self.attachment_urls[item.key] = url

    def attachment_target(self, item: SourceAttachment) -> str | None:
        """Where the attachment's own page now leads: its file, when it was copied."""
        return self.attachment_urls.get(item.key)

    def rewrite_body(self, body: str) -> str:
        """The body with every reference to a file in the uploads folder at its new URL."""
        if self.uploads_dir is None or "uploads/" not in body.lower():
            return body

        def replace(match):
            host = (match.group("host") or "").lower()
            if host and self.hosts and host not in self.hosts:
                return match.group(0)
            url = self._reference(unquote(match.group("path")))
            return url if url is not None else match.group(0)

        return UPLOAD_URL.sub(replace, body)

    def discard_new_files(self) -> None:
        """Remove the stored files of rows this import added, when its transaction rolls back."""
        for media in self.created:
            for name in media.stored_names():
                default_storage.delete(name)
        self.created = []

    # Finding and storing -------------------------------------------------------------------

    def _reference(self, path):
        """The new URL for a file a body names: its original if it is a resized variant."""
        if path in self.found:
            return self.found[path]
        variant = VARIANT.match(path)
        candidates = [path]
        if variant is not None:
            stem, ext = variant.group("stem"), variant.group("ext")
            candidates = [f"{stem}{ext}", f"{stem}-scaled{ext}", path]
        for candidate in candidates:
            if self._local(candidate) is not None:
                url = self._file(candidate)
                self.found[path] = url
                return url
        self.found[path] = None
        self._missing(path)
        return None

    def _local(self, path):
        """The file at `path` inside the uploads folder, or None (never anything outside it)."""
        try:
            local = (self.uploads_dir / path.lstrip("/")).resolve()
        except (OSError, ValueError):
            return None
        if not local.is_relative_to(self.uploads_dir) or not local.is_file():
            return None
        return local

    def _file(self, path, *, title=""):
        """Copy one file of the uploads folder into the library (once); return its URL or None."""
        path = path.lstrip("/")
        if path in self.found:  # copied, missing or refused already
            return self.found[path]
        local = self._local(path)
        if local is None:
            self.found[path] = None
            self._missing(path)
            return None
        if local.stat().st_size > settings.MEDIA_MAX_UPLOAD_BYTES:
            # Refused before it is read: a stray video in the folder must not fill the memory.
            return self._refused(path, too_large())
        digest = hashlib.sha256(local.read_bytes()).hexdigest()
        key = _source_id(path)
        record = ImportedItem.objects.filter(
            source=self.identity, kind=ImportedItem.Kind.ATTACHMENT, source_id=key
        ).first()
        media = None
        if record is not None and record.fingerprint == digest:
            media = MediaFile.objects.filter(pk=record.object_id).first()
        if media is not None:
            self.summary.attachments["unchanged"] += 1
            url = media.url
        elif self.summary.dry_run:
            # Only look: storing would write files that no rollback takes back.
            self.summary.attachments["copied"] += 1
            url = f"/{path}"
        else:
            try:
                media = self._store(local, title)
            except Rejected as error:
                return self._refused(path, error)
            ImportedItem.objects.update_or_create(
                source=self.identity,
                kind=ImportedItem.Kind.ATTACHMENT,
                source_id=key,
                defaults={"object_id": media.pk, "fingerprint": digest},
            )
            self.summary.attachments["copied"] += 1
            url = media.url
        self.found[path] = url
        return url

    def _store(self, local, title):
        newest = MediaFile.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        media = store_file(local, caption=_caption(title, local.name))
        if media.pk > newest:
            self.created.append(media)
        return media

    def _refused(self, path, error):
        self.summary.refused_files.append((path, str(error)))
        self.found[path] = None

    def _missing(self, path):
        if path not in self.summary.missing_files:
            self.summary.missing_files.append(path)


def _source_id(path):
    if len(path) <= SOURCE_ID_LENGTH:
        return path
    # Long paths (deep folders, long names) by their hash, which fits and stays unique.
    return "sha256:" + hashlib.sha256(path.encode()).hexdigest()


def _caption(title, filename):
    """WordPress and Typecho title an attachment after its file name; that is no caption."""
    title = (title or "").strip()
    stem = filename.rsplit(".", 1)[0]
    return "" if title in (filename, stem) else title


def hosts_of(*urls):
    """The hosts these URLs name, for UploadedFiles(hosts=...)."""
    return {urlsplit(url).netloc.lower() for url in urls if url and urlsplit(url).netloc}
