"""What an import did, item by item kind, and how it is told to the author at the end."""

from collections import Counter
from dataclasses import dataclass, field

from redirects.importing import RedirectCounts

LISTED = 20  # how many titles a list shows before "and N more"


@dataclass
class Summary:
    source: str
    dry_run: bool = False
    uploads_given: bool = False  # whether --uploads-dir named a folder to copy files from
    posts: Counter = field(default_factory=Counter)  # created, updated, unchanged, ...
    published: int = 0
    scheduled: int = 0
    drafts: int = 0
    listed_drafts: list[tuple[str, str]] = field(default_factory=list)  # (title, why)
    changed_ids: list[tuple[str, int, str]] = field(default_factory=list)  # (old, new, title)
    comments: Counter = field(default_factory=Counter)  # created per status, updated, ...
    pings_skipped: Counter = field(default_factory=Counter)  # by type
    categories: Counter = field(default_factory=Counter)  # created, reused
    tags: Counter = field(default_factory=Counter)
    users: Counter = field(default_factory=Counter)
    redirects: RedirectCounts = field(default_factory=RedirectCounts)
    unknown_shortcodes: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # by reason
    pages: Counter = field(default_factory=Counter)  # created, updated, unchanged, ...
    changed_slugs: list[tuple[str, str, str]] = field(default_factory=list)  # (old, new, title)
    attachments: Counter = field(default_factory=Counter)  # seen, copied, unchanged, ...
    missing_files: list[str] = field(default_factory=list)  # paths in the uploads folder
    refused_files: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    notes: list[str] = field(default_factory=list)

    def lines(self):
        """The summary as the command prints it, one line per kind of item."""
        head = "（试运行：以下是将要导入的内容，数据库未作任何改动）" if self.dry_run else ""
        yield f"从 {self.source} 导入完成{head}。"
        yield (
            _done("文章", self.posts)
            + f"（其中已发布 {self.published}，定时发布 {self.scheduled}，草稿 {self.drafts}）。"
        )
        if self.listed_drafts:
            yield f"以下 {len(self.listed_drafts)} 篇在原站不公开，导入为草稿："
            yield from _listed(f"  《{title}》：{why}" for title, why in self.listed_drafts)
        if self.changed_ids:
            yield (
                f"{len(self.changed_ids)} 篇文章的原 id 在本站已被占用，换了新 id（旧链接会跳转）："
            )
            yield from _listed(
                f"  《{title}》：{old} → {new}" for old, new, title in self.changed_ids
            )
        pages = self.pages
        yield (
            _done("页面", pages) + f"（其中已发布 {pages['published']}，草稿 {pages['drafts']}）。"
        )
        if self.changed_slugs:
            yield f"{len(self.changed_slugs)} 个页面的别名在本站已被占用或不可用，换了别名："
            yield from _listed(
                f"  《{title}》：{old} → {new}" for old, new, title in self.changed_slugs
            )
        comments = self.comments
        yield (
            f"评论：新建 {comments['created']}（已通过 {comments['approved']}，"
            f"待审核 {comments['pending']}，垃圾 {comments['spam']}，"
            f"已删除 {comments['removed']}），更新 {comments['updated']}，"
            f"未变跳过 {comments['unchanged']}。"
        )
        if self.pings_skipped:
            kinds = "，".join(f"{kind} {n}" for kind, n in sorted(self.pings_skipped.items()))
            yield f"跳过引用通告（本站不显示 pingback/trackback）：{kinds}。"
        for key, text in (
            ("reattached", "条回复的上级评论在原站已不存在，作为新讨论串的开头"),
            ("unrenderable", "条评论格式过于复杂无法渲染，已跳过"),
            ("deleted_here", "条评论在本站已删除，未再导入"),
        ):
            if comments[key]:
                yield f"  {comments[key]} {text}。"
        yield (
            f"分类：新建 {self.categories['created']}，沿用已有 {self.categories['reused']}；"
            f"标签：新建 {self.tags['created']}，沿用已有 {self.tags['reused']}。"
        )
        yield (
            f"用户：新建 {self.users['created']}，沿用已有 {self.users['reused']}"
            + (
                "（新用户没有密码，须用 manage.py changepassword 设置后才能登录）。"
                if self.users["created"]
                else "。"
            )
        )
        redirects = self.redirects
        yield (
            f"跳转：新建 {redirects.created}，更新 {redirects.updated}，"
            f"未变 {redirects.unchanged}"
            + (f"，拒绝 {len(redirects.refused)}" if redirects.refused else "")
            + "。"
        )
        yield from _listed(f"  拒绝 {old}：{why}" for old, why in redirects.refused)
        yield from self._file_lines()
        if self.unknown_shortcodes:
            names = "，".join(f"[{name}] {n}" for name, n in self.unknown_shortcodes.most_common())
            yield f"本站不认识的短代码（原样保留为文字）：{names}。"
        if self.skipped:
            reasons = "，".join(f"{reason} {n}" for reason, n in self.skipped.most_common())
            yield f"跳过：{reasons}。"
        yield from self.notes

    def _file_lines(self):
        files = self.attachments
        if not self.uploads_given:
            if files["seen"] or self.missing_files:
                yield (
                    f"附件：{files['seen']} 个，未复制（没有给出 --uploads-dir），"
                    "正文中的图片和文件仍指向原站地址。"
                )
            return
        yield (
            f"附件与正文中的文件：复制到媒体库 {files['copied']}，"
            f"已导入过跳过 {files['unchanged']}，找不到 {len(self.missing_files)}"
            + (f"，拒收 {len(self.refused_files)}" if self.refused_files else "")
            + f"（原站附件条目 {files['seen']} 个）。"
        )
        if self.missing_files:
            yield f"{len(self.missing_files)} 个文件在上传文件夹中找不到，正文中保留原地址："
            yield from _listed(f"  {path}" for path in self.missing_files)
        if self.refused_files:
            yield f"{len(self.refused_files)} 个文件媒体库不收，正文中保留原地址："
            yield from _listed(f"  {path}：{why}" for path, why in self.refused_files)


def _done(kind, counts):
    """What became of the posts or the pages: created, updated, unchanged, deleted here."""
    deleted = counts["deleted_here"]
    return (
        f"{kind}：新建 {counts['created']}，更新 {counts['updated']}，"
        f"未变跳过 {counts['unchanged']}" + (f"，本站已删除故跳过 {deleted}" if deleted else "")
    )


def _listed(lines):
    lines = list(lines)
    yield from lines[:LISTED]
    if len(lines) > LISTED:
        yield f"  ……另有 {len(lines) - LISTED} 项"
