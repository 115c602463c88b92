"""What import_wordpress and import_typecho share: options, the progress bar, the summary."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from .run import run_import
from .sources import SourceError


class ImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument(
            "--uploads-dir",
            type=Path,
            help=(
                "原站上传文件夹的副本（WordPress 的 wp-content/uploads，Typecho 的 usr/uploads）。"
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只报告将要导入的内容，不写入数据库。",
        )

    def open_source(self, options):
        """Return the import source the command's arguments name (raise SourceError if none)."""
        raise NotImplementedError

    def handle(self, *args, **options):
        uploads_dir = options["uploads_dir"]
        if uploads_dir is not None and not uploads_dir.is_dir():
            raise CommandError(f"--uploads-dir {uploads_dir} 不是文件夹。")
        show_progress = options["verbosity"] >= 1
        try:
            source = self.open_source(options)
            try:
                summary = run_import(
                    source,
                    dry_run=options["dry_run"],
                    uploads_dir=uploads_dir,
                    progress=self._progress if show_progress else None,
                )
            finally:
                close = getattr(source, "close", None)
                if close is not None:
                    close()
        except SourceError as error:
            raise CommandError(f"导入失败，站点未作任何改动。{error}") from error
        for number, line in enumerate(summary.lines()):
            style = self.style.SUCCESS if number == 0 else None
            self.stdout.write(line, style_func=style)

    def _progress(self, items, total):
        # On stderr, so the summary on stdout can be piped; off when stderr is not a terminal.
        return tqdm(items, total=total, unit="项", file=sys.stderr, disable=None, leave=False)
