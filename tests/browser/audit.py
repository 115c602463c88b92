"""The accessibility checkers and the sample site they judge, shared by the tests and bench/.

axe-core (npm, package.json) is injected into each page Chromium shows; the Nu HTML checker
(vnu.jar from the npm package vnu-jar, run by Debian's Java) reads the HTML the server sent.
"""

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU = PROJECT_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# WCAG 2.2 A and AA, as axe tags its rules.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SERIOUS = ("serious", "critical")
WIDTHS = {"desktop": 1280, "phone": 390}
ADMIN_PASSWORD = "sample-admin-pass-1"
DEEP_THREAD = 12  # replies nested deeper than COMMENTS_MAX_DEPTH


@dataclass(frozen=True)
class SampleSite:
    """URLs of the sample site's pages: what every accessibility check visits."""

    math_post_url: str
    code_post_url: str
    category_url: str
    search_url: str
    admin_editor_url: str
    admin_username: str

    def page_urls(self):
        return {
            "home": "/",
            "listing": self.category_url,
            "post": self.math_post_url,
            "code post": self.code_post_url,
            "content.html": "/content.html",
            "search": self.search_url,
            "404": "/no-such-page/",
        }


def build_sample_site():
    """Fill the database with the demo posts, discussions (one thread 12 replies deep), an admin."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.urls import reverse

    from comments.models import Comment
    from comments.services import refresh_comment_counts

    call_command("seed_demo", stdout=_Discard())
    author = get_user_model().objects.get(username="author")
    author.email = "author@example.com"
    author.set_password(ADMIN_PASSWORD)
    author.save()
    code_post = _post_with("```python")
    math_post = _post_with(r"\begin{equation}", excluding=code_post)

    def comment(post, parent=None, **fields):
        defaults = {
            "author_name": "读者",
            "author_email": "reader@example.com",
            "ip_address": "203.0.113.9",
            "status": "approved",
        }
        made = Comment(post=post, parent=parent, **{**defaults, **fields})
        made.save()
        return made

    first = comment(
        math_post,
        author_name="王五",
        author_url="https://example.com/wangwu",
        body=r"第二步换成极坐标时，雅可比行列式 $r$ 是怎么来的？$$\int_0^{2\pi}\int_0^\infty e^{-r^2} r\,dr\,d\theta$$",
    )
    comment(math_post, parent=first, author_name="林一", user=author, body="面积元 $dx\\,dy = r\\,dr\\,d\\theta$。")
    comment(math_post, author_name="赵六", body="写得很清楚，谢谢！`code` 也能显示。")
    parent = comment(math_post, author_name="孙七", body="一条很长的讨论从这里开始。")
    for depth in range(1, DEEP_THREAD + 1):
        parent = comment(
            math_post,
            parent=parent,
            author_name=f"第{depth}层",
            body=f"第 {depth} 层的回复：深层的回复也要有一栏能读的宽度，$a_{depth}^2 + b^2 = c^2$。",
        )
    refresh_comment_counts([math_post.pk])
    category = math_post.category
    return SampleSite(
        math_post_url=math_post.get_absolute_url(),
        code_post_url=code_post.get_absolute_url(),
        category_url=category.get_absolute_url(),
        search_url=reverse("blog:search", kwargs={"keywords": "积分"}),
        admin_editor_url=reverse("admin:blog_post_change", args=[math_post.pk]),
        admin_username=author.get_username(),
    )


def _post_with(text, excluding=None):
    from blog.models import Post

    posts = Post.objects.published().filter(body__contains=text).order_by("published_at")
    if excluding is not None:
        posts = posts.exclude(pk=excluding.pk)
    return posts.first()


class _Discard:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


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
    page.wait_for_selector("html[data-math-typeset=done]", timeout=30_000)
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
    page.wait_for_selector(".comment-preview mjx-container", timeout=30_000)
    return page.request.post(
        base_url + site.math_post_url + "/comment",
        form={
            "body": r"预览：$\sum_{k=1}^n k$",
            "preview": "1",
            "csrfmiddlewaretoken": page.input_value("#respond input[name=csrfmiddlewaretoken]"),
        },
        headers={"Referer": base_url + site.math_post_url},
    ).text()
