"""The XSS corpus posted through the real comment form and read in Chromium with MathJax.

Every payload of tests/comments/test_sanitizing.py (each class of trick, with the cases
DOMPurify's and bleach's test suites cover) goes through the form as a commenter would send
it; then each page of comments is opened, MathJax typesets it, and the page must show no
dialog and no blocked script (CSP violation), and the comments' DOM must hold no on*
attribute, no javascript:/data:/vbscript: URL, no style attribute outside MathJax's own
output, and no frame, form, object, embed, script or other active element.
"""

import pytest

from tests.comments.test_sanitizing import CORPUS
from tests.conftest import GunicornServer
from tests.factories import make_post

pytestmark = pytest.mark.browser

THREADS_PER_PAGE = 20  # settings.COMMENTS_THREADS_PER_PAGE: one post's first page
PAYLOADS = [(param.id, param.values[0]) for param in CORPUS]

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

# Run in the page after MathJax is done: every way a comment's DOM could be live.
FIND_LIVE_MARKUP = """
() => {
  const active = new Set(["script", "iframe", "frame", "frameset", "form", "object", "embed",
    "applet", "base", "meta", "link", "style", "input", "button", "textarea", "select", "img",
    "svg", "video", "audio", "source", "picture", "template", "isindex", "marquee", "details"]);
  const urlAttributes = new Set(["href", "src", "action", "formaction", "xlink:href", "srcset",
    "data", "background", "poster", "ping", "codebase", "cite"]);
  const problems = [];
  document.querySelectorAll(".comment-content").forEach((content) => {
    const where = content.closest(".comment")?.id || "?";
    content.querySelectorAll("*").forEach((element) => {
      const tag = element.localName;
      const mathJax = tag.startsWith("mjx-") || element.closest("mjx-container") !== null;
      if (active.has(tag) && !mathJax) problems.push(`${where}: <${tag}>`);
      for (const attribute of element.attributes) {
        const name = attribute.name.toLowerCase();
        const value = attribute.value.replace(/[\\s\\u0000-\\u001f\\u007f-\\u009f]/g, "")
          .toLowerCase();
        if (name.startsWith("on")) problems.push(`${where}: ${name} on <${tag}>`);
        if (name === "style" && !mathJax) problems.push(`${where}: style on <${tag}>`);
        if (urlAttributes.has(name) && /^(javascript|data|vbscript):/.test(value)) {
          problems.push(`${where}: ${name}=${attribute.value} on <${tag}>`);
        }
      }
    });
  });
  return problems;
}
"""


@pytest.fixture
def open_server(transactional_db):
    """gunicorn that shows every comment at once and takes them as fast as they come."""
    server = GunicornServer(
        COMMENTS_MODERATION="approve_all", COMMENTS_RATE_LIMITS="", COMMENTS_MIN_SECONDS="0"
    )
    yield server
    server.stop()


def test_the_checker_finds_live_markup_in_a_comment(open_server, browser_page, author):
    """The DOM check must catch what it claims to, or its silence below means nothing."""
    post = make_post(author=author)
    page = browser_page
    page.goto(open_server.url + post.get_absolute_url())
    _post_through_the_form(page, "无害的评论")
    page.evaluate(
        """() => {
        const content = document.querySelector(".comment-content");
        content.insertAdjacentHTML("beforeend",
          '<p style="color:red" onclick="x()"><a href=" javascript:x()">a</a></p>' +
          '<iframe></iframe>');
    }"""
    )
    problems = page.evaluate(FIND_LIVE_MARKUP)
    assert len(problems) == 4, problems


def test_every_hostile_comment_stays_inert_in_chromium_with_mathjax(
    open_server, browser_page, author
):
    page = browser_page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(RECORD_VIOLATIONS)
    posts = [
        make_post(author=author, title=f"恶意评论测试 {n + 1}")
        for n in range(0, len(PAYLOADS), THREADS_PER_PAGE)
    ]
    stored, refused = 0, []
    for index, (name, payload) in enumerate(PAYLOADS):
        url = open_server.url + posts[index // THREADS_PER_PAGE].get_absolute_url()
        if not page.url.startswith(url):
            page.goto(url, wait_until="domcontentloaded")
        if _post_through_the_form(page, payload):
            stored += 1
        else:
            refused.append(name)  # a clear 400 (a NUL byte): nothing was stored
            page.goto(url, wait_until="domcontentloaded")

    problems, typeset = [], 0
    for post in posts:
        page.goto(open_server.url + post.get_absolute_url())
        page.wait_for_selector("html[data-math-typeset=done]", timeout=30_000)
        typeset += page.locator(".comment-content mjx-container").count()
        problems += page.evaluate(FIND_LIVE_MARKUP)
        problems += [f"CSP: {v}" for v in page.evaluate("window.__violations")]
    assert stored + len(refused) == len(PAYLOADS)
    assert stored >= len(PAYLOADS) - 5, f"refused: {refused}"
    assert typeset > 10, "MathJax typeset no comment: the check ran without it"
    assert not dialogs, dialogs
    assert not problems, "\n".join(problems)


def _post_through_the_form(page, body):
    """Fill the comment form as a commenter would and send it; True if the comment was taken."""
    page.fill("#respond input[name=author_name]", "测试者")
    page.fill("#respond input[name=author_email]", "tester@example.com")
    page.fill("#respond textarea[name=body]", body)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("#respond .submit-button")
    return "#comment-" in page.url
