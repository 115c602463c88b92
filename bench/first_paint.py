"""First paint and math on screen, for the demo posts and a generated 600-formula post.

    python bench/first_paint.py [--runs 5] [--formulas 600] [--only generated ...]

Builds a throwaway site (SQLite in a temporary DATA_DIR): the demo posts and a generated post
of 150 paragraphs with inline math, numbered equations and aligned blocks, each saved twice —
typeset on the server when saved (today's pipeline, core/mathjax/) and with
MATH_RENDER_ON_SAVE=false, so MathJax typesets it in the reader's browser (what every page did
before). Serves them with gunicorn and loads each page cold (a fresh browser context, nothing
cached) in Debian's Chromium, `--runs` times. Prints, as medians: first contentful paint; when
the last formula is on screen (the browser's MathJax finishing, or for server-typeset pages the
later of first paint and the math fonts arriving); the bytes transferred; and how long saving
the generated post took on the server. docs/performance.md records the figures.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"

# Runs before the page's own scripts: note when site.js marks the math done.
WATCH = """(() => {
  new MutationObserver((changes, observer) => {
    if (document.documentElement.getAttribute("data-math-typeset") === "done") {
      window.__mathDone = performance.now();
      observer.disconnect();
    }
  }).observe(document.documentElement, { attributes: true });
})();"""

READ = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const resources = performance.getEntriesByType("resource");
  const fonts = resources.filter((r) => r.name.endsWith(".woff2"));
  const navigation = performance.getEntriesByType("navigation")[0];
  return {
    fcp: paint ? paint.startTime : null,
    mathDone: window.__mathDone ?? null,
    fontsDone: fonts.length ? Math.max(...fonts.map((r) => r.responseEnd)) : 0,
    bytes: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    mathjax: resources.some((r) => r.name.includes("/vendor/mathjax/")),
    formulas: document.querySelectorAll(".post-body mjx-container").length,
  };
}"""

SETUP = """
import json, sys, time
from django.conf import settings
from blog.models import Category, Post
from blog import demo
from django.contrib.auth import get_user_model
spec = json.loads(sys.stdin.read())
author = get_user_model().objects.get(username=demo.AUTHOR_USERNAME)
category = Category.objects.first()
Post.objects.create(title="预热", body="$x$", author=author, category=category, status="published")
pages = []
for server in (True, False):
    settings.MATH_RENDER_ON_SAVE = server
    for name, body in [*((p.name, p.body) for p in demo.load_posts()), ("generated", spec["body"])]:
        started = time.perf_counter()
        post = Post.objects.create(
            title=name, body=body, author=author, category=category, status="published"
        )
        pages.append({"name": name, "server": server, "id": post.pk,
                      "save_seconds": time.perf_counter() - started})
print(json.dumps(pages))
"""


def generated_post(formulas):
    """Markdown with about `formulas` formulas: inline math, equations and aligned blocks."""
    paragraphs = []
    i = 0
    count = 0
    while count < formulas:
        i += 1
        text = (
            f"第{i}段：设 $f_{{{i}}}(x) = x^{{{i % 7 + 2}}} + \\alpha_{{{i}}}$，"
            f"并记 $\\beta_{{{i}}} = \\sum_{{k=1}}^{{{i}}} k^2$ 与 $\\gamma_{{{i}}}$。"
            "这一段是普通的中文叙述文字，用来填充篇幅，使文章接近真实长度。"
        )
        count += 3
        if i % 3 == 0:
            display = (
                f"\\begin{{align}}\\int_0^1 f_{{{i}}}(x)\\,dx &= \\frac{{1}}{{{i}+1}}"
                f" + \\alpha_{{{i}}} \\label{{eq:{i}a}}\\\\ \\nabla\\cdot E_{{{i}}} &="
                f" \\frac{{\\rho}}{{\\varepsilon_0}} \\label{{eq:{i}b}}\\end{{align}}"
            )
        else:
            display = (
                f"\\begin{{equation}}\\sqrt{{1 + \\left(\\frac{{dy}}{{dx}}\\right)^2}}"
                f" = e^{{-x^2/{i}}} \\label{{eq:{i}}}\\end{{equation}}"
            )
        count += 1
        ref = f"eq:{i}a" if i % 3 == 0 else f"eq:{i}"
        paragraphs.append(f"{text}\n\n{display}\n\n由 $\\eqref{{{ref}}}$ 可知结论成立。")
        count += 1
    return "\n\n".join(paragraphs), count


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--formulas", type=int, default=600)
    parser.add_argument(
        "--only", metavar="NAME", nargs="+", help="load only these posts (e.g. generated)"
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="first-paint-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATA_DIR": str(data_dir),
    }
    env.pop("DATABASE_URL", None)
    python = sys.executable

    def manage(*command, **kwargs):
        return subprocess.run(
            [python, "manage.py", *command], cwd=PROJECT_DIR, env=env, check=True, **kwargs
        )

    manage("migrate", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("seed_demo", stdout=subprocess.DEVNULL)
    body, formulas = generated_post(args.formulas)
    output = manage(
        "shell", "-c", SETUP, input=json.dumps({"body": body}), text=True, capture_output=True
    ).stdout
    pages = json.loads(output.strip().splitlines()[-1])
    generated = next(p for p in pages if p["name"] == "generated" and p["server"])
    if args.only:
        pages = [page for page in pages if page["name"] in args.only]
    print(
        f"generated post: {formulas} formulas, saved (typeset on the server) in "
        f"{generated['save_seconds']:.1f} s"
    )

    port = 8890 + os.getpid() % 100
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=PROJECT_DIR,
        env={**env, "WEB_CONCURRENCY": "2", "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/robots.txt", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        results = measure(url, pages, args.runs)
    finally:
        server.terminate()
        server.wait(timeout=15)
    report(results, args.runs)


def measure(url, pages, runs):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        # Round by round, every page once per round: a slow spell of the machine then falls on
        # all pages alike instead of on whichever page was being loaded at the time.
        results = [(page_spec, []) for page_spec in pages]
        for _ in range(runs):
            for page_spec, loads in results:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.add_init_script(WATCH)
                page = context.new_page()
                page.goto(f"{url}/archives/{page_spec['id']}", wait_until="load")
                page.wait_for_selector("html[data-math-typeset=done]", timeout=120_000)
                page.wait_for_timeout(300)  # late fonts
                loads.append(page.evaluate(READ))
                context.close()
        browser.close()
    return results


def math_on_screen(load):
    """When the last formula shows: typeset, and drawn in its own fonts."""
    return max(load["fcp"], load["mathDone"] or 0, load["fontsDone"])


def report(results, runs):
    print(f"median of {runs} cold loads; times in ms from navigation start")
    print(f"{'post':34} {'typeset':8} {'FCP':>6} {'math':>7} {'math-FCP':>9} {'KB':>6} MathJax")
    for spec, loads in results:
        fcp = statistics.median(load["fcp"] for load in loads)
        math = statistics.median(math_on_screen(load) for load in loads)
        lag = statistics.median(math_on_screen(load) - load["fcp"] for load in loads)
        kilobytes = statistics.median(load["bytes"] for load in loads) / 1024
        where = "server" if spec["server"] else "browser"
        mathjax = "loaded" if any(load["mathjax"] for load in loads) else "none"
        print(
            f"{spec['name']:34} {where:8} {fcp:6.0f} {math:7.0f} {lag:9.0f} {kilobytes:6.0f} "
            f"{mathjax}"
        )


if __name__ == "__main__":
    main()
