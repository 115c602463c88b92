"""`manage.py import_wordpress EXPORT.xml`: move a WordPress blog in from its export file."""

from pathlib import Path

from moving.importing.command import ImportCommand
from moving.importing.sources import SourceError
from moving.importing.wordpress import WordPressExport


class Command(ImportCommand):
    help = (
        "从 WordPress 的导出文件（工具 → 导出，WXR 1.0–1.2）导入文章、评论、分类、标签"
        "和旧链接的跳转。"
        "全部在一个事务中完成：出错时站点保持原样；重复运行不会重复导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="WordPress 导出的 .xml 文件。")
        super().add_arguments(parser)

    def open_source(self, options):
        if not options["export"].is_file():
            raise SourceError(f"找不到文件 {options['export']}。")
        return WordPressExport(options["export"])
