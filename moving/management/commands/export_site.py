"""`manage.py export_site PATH`: write the whole site to one portable JSON file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from moving import site


class _Text:
    """Let export_site write to the command's stdout without a newline after every piece."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text):
        self.wrapper.write(text, ending="")


class Command(BaseCommand):
    help = (
        "把全部文章、分类、标签、评论（保留讨论串结构）及其作者导出为一个可移植的 JSON 文件，"
        "可用 import_site 导入到空站点。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="输出文件的路径；- 表示写到标准输出。")
        parser.add_argument(
            "--include-password-hashes",
            action="store_true",
            help="同时导出作者的密码哈希，导入后可用原密码登录。文件须像密码一样妥善保管。",
        )

    def handle(self, *args, path, include_password_hashes, **options):
        if path == "-":
            counts = site.export_site(
                _Text(self.stdout), include_password_hashes=include_password_hashes
            )
            report = self.stderr  # stdout carries the document itself
        else:
            counts = self._export_to_file(Path(path), include_password_hashes)
            report = self.stdout
        report.write(
            f"导出完成：{counts['users']} 位用户，{counts['categories']} 个分类，"
            f"{counts['tags']} 个标签，{counts['posts']} 篇文章，{counts['comments']} 条评论，"
            f"{counts['redirects']} 条跳转。",
            style_func=self.style.SUCCESS,
        )
        if include_password_hashes:
            report.write(
                "文件中含有密码哈希，请像对待密码一样保管它。", style_func=self.style.WARNING
            )
        else:
            report.write(
                "文件中不含密码：导入后，作者须先用 manage.py changepassword 用户名 "
                "设置密码才能登录。"
            )

    def _export_to_file(self, target, include_password_hashes):
        # Write beside the target and rename at the end, so a failed export never leaves a
        # half-written file where a good one (perhaps an older export) used to be.
        partial = target.with_name(target.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8") as out:
                counts = site.export_site(out, include_password_hashes=include_password_hashes)
            partial.replace(target)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"无法写入 {target}：{error}") from error
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return counts
