"""Keystroke-to-preview time of the post editor, in headless Chromium.

    python bench/editor_latency.py [--keystrokes 30] [--chars 20000]

Builds a throwaway site (SQLite in a temporary DATA_DIR) holding one post of about 20,000
characters with about 300 formulas, serves it with gunicorn, logs in to the admin, and for each
keystroke measures, inside the page, the time from the key going down to the preview block at
the cursor showing the new text with its formulas typeset by MathJax. Prints the median, p90
and worst figures (docs/performance.md records them).
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
CHROMIUM = "/usr/bin/chromium"

# Returns the promise inside an object: Playwright would otherwise wait for it to settle.
MEASURE = """([marker, line]) => ({ result: new Promise((resolve) => {
  const frameDoc = document.querySelector(".post-editor-frame").contentDocument;
  const body = frameDoc.getElementById("preview-body");
  let start = null;
  const done = () => {
    const block = Array.from(body.children).find((el) => el.textContent.includes(marker));
    if (!block) return false;
    const pending = Array.from(block.querySelectorAll(".arithmatex"))
      .some((math) => !math.querySelector("mjx-container"));
    return !pending;
  };
  const observer = new MutationObserver(() => {
    if (start !== null && done()) {
      observer.disconnect();
      resolve(performance.now() - start);
    }
  });
  observer.observe(body, { childList: true, subtree: true, characterData: true });
  document.addEventListener("keydown", () => { start = performance.now(); },
    { capture: true, once: true });
  setTimeout(() => { observer.disconnect(); resolve(-1); }, 10000);
}) })"""


def long_post(target_chars):
    """Markdown of about `target_chars` characters: sections, numbered equations, inline math."""
    parts = []
    i = 0
    while sum(len(part) for part in parts) < target_chars:
        i += 1
        parts.append(
            f"## 第{i}节\n\n"
            f"设函数 $f_{i}(x)=x^{i}+\\alpha_{i}$，则有\n\n"
            f"\\begin{{equation}}\\int_0^1 f_{i}(x)\\,dx = \\frac{{1}}{{{i}+1}} + \\alpha_{i}"
            f"\\label{{eq:{i}}}\\end{{equation}}\n\n"
            f"由 $\\eqref{{eq:{i}}}$ 可知 $\\beta_{i} = \\sum_k k^2$ 与 $\\gamma$ 的关系。"
            "这一段是普通的中文叙述文字，用来填充篇幅，使文章接近真实长度。\n"
        )
    return "\n".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keystrokes", type=int, default=30)
    parser.add_argument("--chars", type=int, default=20000)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="editor-bench-"))
    password = secrets.token_urlsafe(12)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": "",
    }
    env.pop("DATABASE_URL")
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=PROJECT_DIR, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
    )
    body = long_post(args.chars)
    formulas = body.count("$") // 2 + body.count("\\begin{equation}")
    setup = (
        "from django.contrib.auth import get_user_model;"
        "from blog.models import Category, Post;"
        f"u = get_user_model().objects.create_superuser('bench', 'b@example.org', {password!r});"
        "c = Category.objects.create(name='基准', slug='bench');"
        "import sys; body = sys.stdin.read();"
        "p = Post.objects.create(title='长文', body=body, author=u, category=c);"
        "print(p.pk)"
    )
    post_id = (
        subprocess.run(
            [python, "manage.py", "shell", "-c", setup],
            cwd=PROJECT_DIR,
            env=env,
            input=body,
            text=True,
            capture_output=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )  # the shell may print a line of its own first
    port = 8790 + os.getpid() % 100
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
        timings = measure(url, post_id, password, args.keystrokes)
    finally:
        server.terminate()
        server.wait(timeout=15)
    ok = sorted(t for t in timings if t >= 0)
    print(f"post: {len(body)} characters, {formulas} formulas; {len(ok)} keystrokes measured")
    if ok:
        p90 = ok[min(len(ok) - 1, int(len(ok) * 0.9))]
        print(
            f"keystroke to typeset preview block: median {statistics.median(ok):.0f} ms, "
            f"p90 {p90:.0f} ms, worst {ok[-1]:.0f} ms"
        )
    missed = len(timings) - len(ok)
    if missed:
        print(f"{missed} keystroke(s) did not reach the preview within 10 s")


def measure(url, post_id, password, keystrokes):
    from playwright.sync_api import sync_playwright

    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("pageerror", lambda error: print("page error:", error))
        page.on("console", lambda m: m.type == "error" and print("console:", m.text))
        page.goto(url + "/admin/login/?next=/admin/")
        page.fill("#id_username", "bench")
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        page.goto(f"{url}/admin/blog/post/{post_id}/change/")
        frame = page.frame_locator(".post-editor-frame")
        started = time.monotonic()
        frame.locator("html[data-math-typeset=done]").wait_for(state="attached", timeout=300_000)
        print(f"first preview typeset in {time.monotonic() - started:.1f} s")
        lines = page.evaluate("window.postEditor.view.state.doc.lines")
        for index in range(keystrokes):
            # A paragraph with inline math, spread over the post.
            line = 7 + (index * (lines // keystrokes)) // 8 * 8
            marker = f"K{index}Q"
            page.evaluate(
                """([line, text]) => {
                  const view = window.postEditor.view;
                  const at = view.state.doc.line(line).from + 1;
                  const end = at + text.length;
                  view.dispatch({changes: {from: at, insert: text}, selection: {anchor: end}});
                  view.focus();
                }""",
                [line, marker[:-1]],
            )
            page.wait_for_timeout(800)  # let the whole-body render of that edit settle
            waiting = page.evaluate_handle(MEASURE, [marker, line])
            page.keyboard.press("Q")
            timings.append(page.evaluate("(waiting) => waiting.result", waiting))
        browser.close()
    return timings


if __name__ == "__main__":
    main()
