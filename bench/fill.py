"""Fill the benchmark database: posts (generate_posts) and comment threads, in bulk.

Run by bench/run.py; usable alone: `python bench/fill.py --scale default`.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

SCALES = {
    "default": {"posts": 1_000, "comments": 20_000},
    "large": {"posts": 100_000, "comments": 1_000_000},
}
BIG_THREAD_COMMENTS = 500
FILL_SCOPE = "cfillscope-"  # replaced by each comment's own
BIG_THREAD_DEPTH = 8
BATCH = 5_000

COMMENT_BODIES = [
    "推导很清楚，式 $\\eqref{eq:1}$ 那一步能再展开一下吗？",
    "我用 `numpy` 复现了一遍，结果和文中一致：$\\|x\\|_2 \\approx 1.414$。",
    "请问这里的 $\\sigma(x) = 1/(1+e^{-x})$ 是否可以换成别的激活函数？",
    "**同意**。补充一点：当 $n\\to\\infty$ 时，$\\frac{1}{n}\\sum_i x_i \\to \\mathbb{E}[x]$。",
    "感谢分享，学到了。",
    "有一个小笔误：第二节的 $a_{ij}$ 应该是 $a_{ji}$。",
]


def build_thread(rng, size, max_depth):
    """Return parent indexes (None for the root) of a random tree of `size` nodes."""
    parents, depths = [None], [0]
    for _ in range(1, size):
        candidates = [i for i in range(len(parents)) if depths[i] < max_depth - 1]
        parent = rng.choice(candidates[-50:])  # favour recent comments, like real threads
        parents.append(parent)
        depths.append(depths[parent] + 1)
    return parents


def fill_comments(total, rng):
    from django.db import connection
    from tqdm import tqdm

    from blog.models import Post
    from comments.models import Comment
    from comments.rendering import render_comment
    from comments.snippets import snippet_of
    from comments.trees import number_thread
    from core import mathjax
    from core.mathjax import stylesheet

    # Typeset as a saved comment is (Comment.render), once per body; each comment then gets
    # the ids of its own scope, as if typeset on its own.
    rendered = []
    css = []
    for body in COMMENT_BODIES:
        html = render_comment(body)
        typeset = mathjax.typeset_html(html, scope=FILL_SCOPE, safe=True)
        rendered.append((body, typeset.html, snippet_of(html)))
        css.append(typeset.css)
    stylesheet.add(*css)
    post_ids = list(Post.objects.published().order_by("id").values_list("id", flat=True))
    big_post = post_ids[len(post_ids) // 2]
    next_id = (Comment.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    next_tree = (
        Comment.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0
    ) + 1

    # The big discussion: 25 threads of 20 comments, up to 8 levels deep.
    threads = [(big_post, 20, BIG_THREAD_DEPTH) for _ in range(BIG_THREAD_COMMENTS // 20)]
    remaining = total - BIG_THREAD_COMMENTS
    while remaining > 0:
        size = min(remaining, rng.choice([1, 1, 1, 2, 3, 5, 8]))
        threads.append((rng.choice(post_ids), size, 4))
        remaining -= size

    batch = []
    with tqdm(total=total, unit="comment", desc="comments") as progress:
        for post_id, size, depth in threads:
            parents = build_thread(rng, size, depth)
            ids = list(range(next_id, next_id + size))
            thread = []
            for index in range(size):
                body, html, snippet = rendered[rng.randrange(len(rendered))]
                thread.append(
                    Comment(
                        id=ids[index],
                        post_id=post_id,
                        parent_id=None if parents[index] is None else ids[parents[index]],
                        author_name=f"读者{rng.randrange(5000)}",
                        author_email=f"reader{rng.randrange(5000)}@example.com",
                        body=body,
                        body_html=html.replace(FILL_SCOPE, f"c{ids[index]}-"),
                        snippet=snippet,
                        status=Comment.Status.APPROVED,
                        ip_address="203.0.113.7",
                    )
                )
            number_thread(thread, tree_id=next_tree)
            batch.extend(thread)
            next_id += size
            next_tree += 1
            if len(batch) >= BATCH:
                Comment.objects.bulk_create(batch)
                progress.update(len(batch))
                batch = []
        if batch:
            Comment.objects.bulk_create(batch)
            progress.update(len(batch))

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
            cursor.execute(sql)
        # One grouped UPDATE: the per-post recount the site uses is made for a few posts.
        cursor.execute(
            "UPDATE blog_post p SET comment_count = c.n FROM ("
            " SELECT post_id, count(*) AS n FROM comments_comment"
            " WHERE status = 'approved' GROUP BY post_id) c WHERE p.id = c.post_id"
        )
    return big_post


def no_style():
    from django.core.management.color import no_style as style

    return style()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from blog.models import Post
    from core import content_version

    scale = SCALES[args.scale]
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    if Post.objects.exists():
        sys.exit("The benchmark database is not empty; bench/run.py recreates it.")
    call_command("generate_posts", scale["posts"], seed=args.seed)
    big_post = fill_comments(scale["comments"], random.Random(args.seed))
    content_version.bump()
    print(f"BIG_POST={big_post}")
    print(f"filled in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
