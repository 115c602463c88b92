"""The demo site's standalone pages: an About page and a guestbook, both in the header."""

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DemoPage:
    slug: str
    title: str
    order: int
    comments_open: bool

    @property
    def body(self):
        return (HERE / f"{self.slug}.md").read_text(encoding="utf-8")


PAGES = [
    DemoPage(slug="about", title="关于", order=10, comments_open=False),
    DemoPage(slug="guestbook", title="留言板", order=20, comments_open=True),
]
# The author's first message in the guestbook, so a new site shows a thread there.
GUESTBOOK_WELCOME = (
    "留言板开张了。公式也可以写：$\\sum_{n=1}^\\infty \\frac{1}{n^2} = \\frac{\\pi^2}{6}$。"
)
