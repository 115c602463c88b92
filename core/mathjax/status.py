"""What the admin says about the math of something saved (a post, page or comment)."""

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


def math_status(item):
    """Whether its math was typeset on the server and, if not, why (readers' browsers then
    typeset it). `item` has a `math_error`, empty when the server typeset everything."""
    if item.pk is None:
        return _("保存时在服务器上排版。")
    if item.math_error:
        return format_html(
            "{} <code>{}</code>",
            _("服务器未能排版其中的公式，读者的浏览器会用 MathJax 排版。原因："),
            item.math_error,
        )
    return _("已在服务器上排版，读者无需加载 MathJax。")
