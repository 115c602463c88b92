"""`manage.py import_site PATH`: load a file written by export_site into an empty site."""

import codecs
import sys

from django.core.management.base import BaseCommand, CommandError

from core.sitefile import FileError
from moving import site

SECTION_NAMES = {
    "users": "用户",
    "categories": "分类",
    "tags": "标签",
    "posts": "文章",
    "comments": "评论",
    "redirects": "跳转",
    "imports": "导入记录",
}


class Command(BaseCommand):
    help = (
        "把 export_site 导出的文件导入到空站点（没有任何文章和评论）。"
        "全部在一个事务中完成：出错时数据库保持原样。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="export_site 写出的文件；- 表示从标准输入读取。")

    def handle(self, *args, path, **options):
        progress = self._progress if options["verbosity"] >= 2 else None
        try:
            if path == "-":
                counts = self._import(sys.stdin.buffer, progress)
            else:
                with open(path, "rb") as source:
                    counts = self._import(source, progress)
        except OSError as error:
            raise CommandError(f"无法读取 {path}：{error}") from error
        except FileError as error:
            raise CommandError(f"导入失败，数据库未作任何改动。{error}") from error
        existing = counts["users"] - counts["users_created"]
        self.stdout.write(
            f"导入完成：{counts['posts']} 篇文章，{counts['comments']} 条评论，"
            f"{counts['categories']} 个分类，{counts['tags']} 个标签，"
            f"{counts['users']} 位用户（新建 {counts['users_created']}，沿用已有 {existing}）。",
            style_func=self.style.SUCCESS,
        )
        if counts["users_without_password"]:
            self.stdout.write(
                f"新建的 {counts['users_without_password']} 位用户还没有密码，"
                "须先用 manage.py changepassword 用户名 设置后才能登录。",
                style_func=self.style.WARNING,
            )

    def _import(self, source, progress):
        # Tolerate a byte-order mark added by an editor on Windows.
        if source.peek(3)[:3] == codecs.BOM_UTF8:
            source.read(3)
        return site.import_site(source, progress=progress)

    def _progress(self, section, count):
        self.stdout.write(f"已读入{SECTION_NAMES[section]}：{count}")
