"""`manage.py import_typecho SOURCE`: move a Typecho blog in from its database or backup file."""

from moving.importing.command import ImportCommand
from moving.importing.typecho import open_typecho


class Command(ImportCommand):
    help = (
        "从 Typecho 导入文章、评论、分类、标签、阅读次数和旧链接的跳转。SOURCE 是 Typecho 的 "
        "SQLite 数据库文件、后台“备份”下载的 .dat 文件，或 mysql://、postgres:// 开头的数据库地址。"
        "全部在一个事务中完成：出错时站点保持原样；重复运行不会重复导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="SQLite 文件、.dat 备份，或数据库地址。")
        parser.add_argument(
            "--prefix", default="typecho_", help="Typecho 数据表的前缀（默认 typecho_）。"
        )
        super().add_arguments(parser)

    def open_source(self, options):
        return open_typecho(options["source"], prefix=options["prefix"])
