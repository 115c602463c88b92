"""Demo content for an empty site: the taxonomy, and the posts stored as Markdown files here.

Each post file starts with a small header of `key: value` lines, ended by a line `---`:

    title: 高斯积分的三种算法
    category: math
    tags: integrals, probability
    date: 2019-07-21 10:00
    status: draft            (optional; published by default)
    ---
    Markdown body...
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction

from blog.models import Category, Post, Tag

POSTS_DIR = Path(__file__).resolve().parent
# The dates in the post headers are the author's wall-clock time.
AUTHOR_TIMEZONE = ZoneInfo("Asia/Shanghai")

AUTHOR_USERNAME = "author"
AUTHOR_NAME = "林一"

CATEGORIES = {
    "math": "数学",
    "physics": "物理",
    "machine-learning": "机器学习",
    "notes": "杂谈",
}
TAGS = {
    "generating-functions": "生成函数",
    "integrals": "积分",
    "probability": "概率",
    "linear-algebra": "线性代数",
    "optimization": "优化",
    "numerics": "数值计算",
    "classical-mechanics": "经典力学",
    "elliptic-integrals": "椭圆积分",
    "calculus-of-variations": "变分法",
    "attention": "注意力",
    "blogging": "写作",
}


@dataclass(frozen=True)
class DemoPost:
    name: str
    title: str
    category: str
    tags: tuple[str, ...]
    published_at: datetime
    status: str
    body: str


def parse_post(path):
    """Read one demo post file: its header fields and its Markdown body."""
    header, separator, body = path.read_text(encoding="utf-8").partition("\n---\n")
    if not separator:
        raise ValueError(f"{path.name}: no '---' line after the header")
    fields = {}
    for line in header.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    status = fields.get("status", Post.Status.PUBLISHED)
    if status not in Post.Status.values:
        raise ValueError(f"{path.name}: unknown status {status!r}")
    date = datetime.strptime(fields["date"], "%Y-%m-%d %H:%M")
    return DemoPost(
        name=path.stem,
        title=fields["title"],
        category=fields["category"],
        tags=tuple(slug.strip() for slug in fields.get("tags", "").split(",") if slug.strip()),
        published_at=date.replace(tzinfo=AUTHOR_TIMEZONE),
        status=status,
        body=body.strip() + "\n",
    )


def load_posts():
    """Return the demo posts, oldest file name first."""
    return [parse_post(path) for path in sorted(POSTS_DIR.glob("*.md"))]


@transaction.atomic
def ensure_taxonomy():
    """Create the demo categories and tags that are missing; return both, keyed by slug."""
    categories = {
        slug: Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in CATEGORIES.items()
    }
    tags = {
        slug: Tag.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in TAGS.items()
    }
    return categories, tags
