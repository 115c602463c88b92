"""What the editor's live preview asks of the server: the post page's own rendering.

The editor (blog/assets/editor/) writes posts, and pages too (pages/admin.py): each admin
serves these answers under its own URLs, behind its own permissions.

Two answers, both from `rendering.render_markdown`, the function `Post.render` uses:
- the whole body, each top-level block tagged with its source line (sent when the author
  pauses, so footnotes, reference links and heading anchors are exactly the post page's);
- only the block holding the cursor (sent on every keystroke: rendering a 20,000-character
  post takes Python-Markdown over 100 ms, one block a millisecond or two). The editor swaps
  that block in at once and the whole-body answer settles anything that spans blocks.
"""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from . import bodies, html_bodies, rendering, sourcelines

# The editor sends the whole body on each keystroke; a post is far below this.
MAX_BODY = 2_000_000
# The editor's words (blog/assets/editor/main.js reads them from the page).
LABELS = {
    "source": _("源码"),
    "preview": _("预览"),
    "toolbar": _("编辑器工具"),
    "tabs": _("源码与预览"),
    "equation": _("插入公式"),
    "picture": _("插入图片"),
    "picture_url": _("图片地址："),
    "picture_caption": _("图片说明（显示为图注，可留空）："),
    "uploading": _("正在上传图片…"),
    "upload_failed": _("图片上传失败。"),
    "save": _("保存"),
    "saving": _("正在保存…"),
    "saved": _("已保存 %(time)s"),
    "save_failed": _("保存失败：表单有错误，正在显示。"),
    "save_failed_network": _("保存失败：连不上服务器，内容仍在编辑器中。"),
    "autosaved": _("已自动保存草稿 %(time)s"),
    "autosave_failed": _("自动保存失败，将再试。"),
    "history": _("修订历史"),
    "counts": _("%(words)s 字 · %(formulas)s 个公式"),
    "restore_offer": _("有 %(time)s 自动保存、尚未保存的内容。"),
    "restore": _("恢复"),
    "dismiss": _("忽略"),
    "restored": _("已恢复自动保存的内容，保存后生效。"),
}

REFERENCE_DEFINITION = re.compile(r"^[ ]{0,3}\[(?!\^)[^\]]+\]:[ \t]*\S.*$", re.MULTILINE)
FOOTNOTE_BLOCK = re.compile(r'<div[^>]*class="footnote">.*?</div>\s*$', re.DOTALL)
SOURCE_LINE = re.compile(r'data-source-line="(\d+)"')
MATH = re.compile(r'class="arithmatex"')


class EditorAdminMixin:
    """The editor's two URLs for a ModelAdmin (`<app>_<model>_editor_render` and `_frame`),
    answered to those who may view or change its objects."""

    def editor_urls(self):
        view = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}_editor"
        return [
            path("editor/render/", view(self.editor_render_view), name=f"{name}_render"),
            path("editor/frame/", view(self.editor_frame_view), name=f"{name}_frame"),
        ]

    @method_decorator(xframe_options_sameorigin)
    def editor_frame_view(self, request):
        """The empty page the editor's preview is drawn in, with the site's styles."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return render(request, "admin/blog/post/editor_frame.html")

    @method_decorator(require_POST)
    def editor_render_view(self, request):
        """The live preview: the whole body or the block at `line`, as the site shows it."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return preview_response(request.POST)


def change_form_context(*, frame_url, render_url, autosave_url="", history_url="", autosave=None):
    """What a change form needs to put the editor on its body field.

    Without `autosave_url` the editor keeps no draft slot (pages have none); without
    `history_url` its toolbar has no link to the revisions.
    """
    return {
        "editor": {
            "labels": LABELS,
            "frame_url": frame_url,
            "render_url": render_url,
            "autosave_url": autosave_url,
            "history_url": history_url,
            "autosave": autosave,
        },
        # What plugs into the editor (the media library's picture picker and uploads), named
        # in settings so the blog imports no other app (blog/assets/editor/pictures.js).
        "editor_scripts": settings.BLOG_EDITOR_SCRIPTS,
        "editor_styles": settings.BLOG_EDITOR_STYLES,
    }


def preview_response(data):
    """Answer a preview request (the form's `body`, `body_format` and, for one block, `line`)."""
    source = data.get("body", "")
    if len(source) > MAX_BODY:
        return HttpResponseBadRequest(gettext("正文太长。"))
    if data.get("body_format") == bodies.HTML:
        return JsonResponse(render_html_body(source))
    line = data.get("line", "")
    if line:
        if not line.isdigit():
            return HttpResponseBadRequest(gettext("行号无效。"))
        return JsonResponse(render_block(source, int(line)))
    return JsonResponse(render_body(source))


def render_body(source):
    """Render the whole body as the post page shows it, blocks tagged with source lines."""
    html = rendering.render_markdown(rendering.strip_more_marker(source), source_lines=True)
    return {"html": html, "formulas": len(MATH.findall(html))}


def render_html_body(source):
    """Render an HTML body (an imported post's) as the post page shows it; it has no blocks."""
    html = html_bodies.render_html(source).body_html
    return {"html": html, "formulas": len(MATH.findall(html))}


def render_block(source, line):
    """Render the top-level block holding `line` (1-based) and say which lines it spans."""
    source = rendering.strip_more_marker(source)
    lines = source.split("\n")
    starts = sourcelines.block_start_lines(source) or [1]
    line = min(max(line, 1), len(lines))
    first = max((start for start in starts if start <= line), default=starts[0])
    later = [start for start in starts if start > first]
    end = later[0] if later else len(lines) + 1  # one past the block's last line
    block = "\n".join(lines[first - 1 : end - 1])
    # Reference-style links may be defined anywhere in the post.
    definitions = "\n".join(REFERENCE_DEFINITION.findall(source))
    html = rendering.render_markdown(f"{block}\n\n{definitions}", source_lines=True)
    # Footnotes are numbered over the whole post: the whole-body answer places them.
    html = FOOTNOTE_BLOCK.sub("", html)
    offset = first - 1
    html = SOURCE_LINE.sub(lambda m: f'data-source-line="{int(m.group(1)) + offset}"', html)
    return {"html": html, "from_line": first, "to_line": end}
