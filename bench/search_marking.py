"""Time what a search page adds to its one build: parsing the query and marking ten results.

    python bench/search_marking.py

Uses the demo posts' titles and excerpts (blog/demo/), rendered as the site stores them.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from blog import demo, rendering, search  # noqa: E402

QUERIES = ["梯度下降", "e^{-x^2}", "积分 周期", "softmax logsumexp", "a"]
ROUNDS = 200


def main():
    entries = [
        (post.title, rendering.render_markdown(rendering.split_excerpt(post.body)))
        for post in demo.load_posts()
    ]
    page = (entries * 2)[:10]  # a page of ten results
    search.parse_query("预热")  # jieba's dictionary loads on first use
    for query in QUERIES:
        started = time.perf_counter()
        for _ in range(ROUNDS):
            search.parse_query.cache_clear()
            highlighter = search.Highlighter(query)
            for title, excerpt in page:
                highlighter.title(title)
                highlighter.excerpt(excerpt)
        per_page = (time.perf_counter() - started) / ROUNDS * 1e3
        print(f"{query:20} {per_page:6.2f} ms per page of ten results")


if __name__ == "__main__":
    main()
