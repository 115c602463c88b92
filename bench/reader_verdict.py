"""Time the reader counter's browser check, the part of a post view that reads the User-Agent.

    python bench/reader_verdict.py

Prints microseconds per call for: a User-Agent seen before (the verdict cache answers), a new
browser User-Agent (RE2 matches it against the whole crawler-user-agents list), a new tool's,
the longest one still checked (512 characters), and, for comparison, Python's `re` on the
same list, which the counter does not use.
"""

import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from crawleruseragents import CRAWLER_USER_AGENTS_DATA  # noqa: E402

from blog import readers  # noqa: E402

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.{n} Safari/537.36"
)
WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.{n}(0x18002831) NetType/WIFI Language/zh_CN"
)
LONGEST = "Mozilla/5.0 " + "x" * 490 + "{n}"


def per_call(check, agents):
    started = time.perf_counter()
    for agent in agents:
        check(agent)
    return (time.perf_counter() - started) / len(agents) * 1e6


def main():
    started = time.perf_counter()
    readers.is_browser("warm-up")
    print(
        f"first use (compiles {len(CRAWLER_USER_AGENTS_DATA)} patterns): "
        f"{(time.perf_counter() - started) * 1e3:.1f} ms"
    )
    rows = {
        "seen before (cached verdict)": [CHROME.format(n=0)] * 100_000,
        "new Chrome": [CHROME.format(n=n) for n in range(20_000)],
        "new WeChat browser": [WECHAT.format(n=n) for n in range(20_000)],
        "new curl": [f"curl/8.{n}.0" for n in range(20_000)],
        "new 512-character agent": [LONGEST.format(n=n)[:512] for n in range(5_000)],
    }
    for name, agents in rows.items():
        readers._unlisted.cache_clear()
        if name.startswith("seen"):
            readers.is_browser(agents[0])
        print(f"{name:32} {per_call(readers.is_browser, agents):8.2f} µs per view")
    backtracking = re.compile("|".join(f"(?:{a['pattern']})" for a in CRAWLER_USER_AGENTS_DATA))
    for name, agent in [("new Chrome", CHROME), ("new 512-character agent", LONGEST)]:
        agents = [agent.format(n=n)[:512] for n in range(200)]
        print(f"{name + ' with Python re':32} {per_call(backtracking.search, agents):8.2f} µs")


if __name__ == "__main__":
    main()
