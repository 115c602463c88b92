"""Where pages and attachments go: the one place that changes when the site gets pages and media.

The site has no standalone pages and no media library yet (they come with the `pages/` and
`media/` apps). Until then an import counts the source's pages and attachments and leaves
them out; bodies keep the source's file URLs, and attachment pages redirect to the post they
belonged to. When those apps arrive, this class is what fills in:

- `page(item)`: save the page (title, slug, body in its format, status) through the pages
  app's importer, its comments through comments/importing.py with the page as target, and
  redirect its old addresses (`/?page_id=<id>`, its link) to `/<slug>.html`;
- `attachment(item)`: copy `uploads_dir / item.upload_path` into media storage (never
  fetching anything over the network); a missing file goes to `summary.missing_files`;
- `rewrite_body(body)`: point every reference to a copied file, resized variants such as
  `-300x200.jpg` included, at its new URL;
- `attachment_target(item)`: where the attachment's own page redirects (its file).
"""

from pathlib import Path

from .sources import SourceAttachment, SourcePost
from .summary import Summary


class PagesAndFiles:
    def __init__(self, summary: Summary, uploads_dir: Path | None):
        self.summary = summary
        self.uploads_dir = uploads_dir
        if uploads_dir is not None:
            summary.notes.append(
                "附件文件未复制：本站还没有媒体库，--uploads-dir 暂不起作用，"
                "正文中的图片仍指向原站。"
            )

    def page(self, item: SourcePost) -> None:
        self.summary.pages["seen"] += 1

    def attachment(self, item: SourceAttachment) -> None:
        self.summary.attachments["seen"] += 1

    def rewrite_body(self, body: str) -> str:
        return body

    def attachment_target(self, item: SourceAttachment) -> str | None:
        return None
