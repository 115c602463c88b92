"""The accessibility checkers, shared by the browser tests and bench/accessibility.py.

axe-core (npm, package.json) is injected into each page Chromium shows; the Nu HTML checker
(vnu.jar from the npm package vnu-jar, run by Debian's Java) reads the HTML the server sent.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.sample_site import ADMIN_PASSWORD

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU = PROJECT_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# WCAG 2.2 A and AA, as axe tags its rules.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SERIOUS = ("serious", "critical")
WIDTHS = {"desktop": 1280, "phone": 390}


def axe_violations(page, impacts=SERIOUS):
    """Run axe-core in the page; return its violations of the given impacts."""
    if not page.evaluate("() => !!window.axe"):
        # Evaluated through DevTools, which the page's CSP (no inline scripts) does not govern.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        AXE_TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe_violations(violations):
    """One line per rule and the first few elements it flagged, for assertion messages."""
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:4]]
        lines.append(f"{violation['id']} ({len(violation['nodes'])}): {targets}")
    return "\n".join(lines)


def java_available():
    return shutil.which("java") is not None and VNU.exists()


def nu_errors(documents):
    """Check HTML documents ({name: html}) with the Nu checker; return {name: [error messages]}."""
    with tempfile.TemporaryDirectory() as folder:
        paths, files = {}, []
        for number, (name, html) in enumerate(documents.items()):
            path = Path(folder) / f"page-{number}.html"
            path.write_text(html, encoding="utf-8")
            paths[path.name] = name
            files.append(path)
        finished = subprocess.run(
            ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *map(str, files)],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    errors = {name: [] for name in documents}
    for message in json.loads(finished.stderr or finished.stdout)["messages"]:
        if message["type"] in ("error", "non-document-error"):
            name = paths.get(message.get("url", "").rpartition("/")[2], "?")
            errors.setdefault(name, []).append(
                f"line {message.get('lastLine', '?')}: {message['message']}"
            )
    return errors


def open_page(page, url):
    """Load a page and wait until its math is typeset (axe must see MathJax's output)."""
    response = page.goto(url)
    page.wait_for_selector("html[data-math-typeset=done]", timeout=60_000)
    return response


def log_in(page, base_url, site):
    page.goto(base_url + "/admin/login/")
    page.fill("input[name=username]", site.admin_username)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state("load")


def show_comment_preview(page, base_url, site):
    """Open the math post and preview a comment in place; return the no-JavaScript preview page.

    The in-place preview is what readers see; the page the form posts to when scripts are off
    is returned (its HTML, as the server sent it) for the Nu checker.
    """
    open_page(page, base_url + site.math_post_url)
    page.fill("#respond textarea[name=body]", r"预览：$\sum_{k=1}^n k = \frac{n(n+1)}{2}$ **加粗**")
    page.click("#respond .preview-button")
    page.wait_for_selector(".comment-preview mjx-container", timeout=60_000)
    return page.request.post(
        base_url + site.math_post_url + "/comment",
        form={
            "body": r"预览：$\sum_{k=1}^n k$",
            "preview": "1",
            "csrfmiddlewaretoken": page.input_value("#respond input[name=csrfmiddlewaretoken]"),
        },
        headers={"Referer": base_url + site.math_post_url},
    ).text()
