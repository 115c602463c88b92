"""Mail the author one digest of new comments; run it daily from cron (see README)."""

from django.core.management.base import BaseCommand

from comments import author_mail


class Command(BaseCommand):
    help = "把博主还没收到通知的新评论汇总成一封邮件发出（需设置为每日汇总）。"

    def handle(self, *args, **options):
        count = author_mail.send_digest()
        self.stdout.write(f"{count} comment(s) in the digest")
