"""Count accessibility faults on the sample site: axe-core (serious, critical) and the Nu checker.

    .venv/bin/python bench/accessibility.py            # prints a Markdown table

Builds the sample site of tests/browser/audit.py in a scratch SQLite database, serves it with
gunicorn and visits every audited page at 1280 and 390 px, in both themes and both languages
(a theme or language the site does not have yet is simply what the browser asks for).
The figures go in docs/accessibility.md.
"""

import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))


def main():
    data = tempfile.mkdtemp(prefix="a11y-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATA_DIR=data,
        DATABASE_URL=f"sqlite:///{data}/blog.sqlite3",
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from playwright.sync_api import sync_playwright

    from tests import sample_site
    from tests.browser import audit
    from tests.conftest import CHROMIUM, GunicornServer

    (PROJECT_DIR / "data").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)
    site = sample_site.build_sample_site()
    server = GunicornServer(workers=2)
    axe = defaultdict(dict)  # page -> {(width, theme, language): count}
    rules = defaultdict(set)
    documents = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            for language in ("zh-hans", "en"):
                for theme in ("light", "dark"):
                    for width in audit.WIDTHS.values():
                        context = browser.new_context(
                            viewport={"width": width, "height": 900},
                            color_scheme=theme,
                            extra_http_headers={"Accept-Language": language},
                        )
                        page = context.new_page()
                        key = (width, theme, language)
                        print("measuring", *key, file=sys.stderr, flush=True)
                        for name, url in site.page_urls().items():
                            response = audit.open_page(page, server.url + url)
                            if key == (1280, "light", "zh-hans"):
                                documents[name] = response.text()
                            found = audit.axe_violations(page)
                            axe[name][key] = sum(len(v["nodes"]) for v in found)
                            rules[name].update(v["id"] for v in found)
                        preview_html = audit.show_comment_preview(page, server.url, site)
                        found = audit.axe_violations(page)
                        axe["comment preview"][key] = sum(len(v["nodes"]) for v in found)
                        rules["comment preview"].update(v["id"] for v in found)
                        if key == (1280, "light", "zh-hans"):
                            documents["comment preview (no JavaScript)"] = preview_html
                        audit.log_in(page, server.url, site)
                        response = page.goto(server.url + site.admin_editor_url)
                        found = audit.axe_violations(page)
                        axe["admin post editor"][key] = sum(len(v["nodes"]) for v in found)
                        rules["admin post editor"].update(v["id"] for v in found)
                        if key == (1280, "light", "zh-hans"):
                            documents["admin post editor"] = response.text()
                        context.close()
            browser.close()
    finally:
        server.stop()
    nu = audit.nu_errors(documents)
    keys = sorted(
        {key for counts in axe.values() for key in counts},
        key=lambda k: (k[2] != "zh-hans", k[1], -k[0]),
    )
    print("| page | " + " | ".join(f"{w} {t} {lang}" for w, t, lang in keys) + " | rules |")
    print("|---" * (len(keys) + 2) + "|")
    for name, counts in axe.items():
        cells = " | ".join(str(counts.get(key, "")) for key in keys)
        print(f"| {name} | {cells} | {', '.join(sorted(rules[name]))} |")
    print()
    print("| page | Nu errors | messages |")
    print("|---|---|---|")
    for name, errors in nu.items():
        messages = "; ".join(sorted({error.split(": ", 1)[1] for error in errors}))
        print(f"| {name} | {len(errors)} | {messages[:300]} |")


if __name__ == "__main__":
    main()
