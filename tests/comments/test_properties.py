"""Properties of comment rendering and posting, checked on random input (Hypothesis).

Bodies are drawn from pieces that matter to Markdown, math and HTML (delimiters, tags,
schemes, character references, controls) mixed with arbitrary text, so the search spends its
time where bugs would be. Every test runs against bleach and nh3 (see test_sanitizing.py).
"""

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments import rendering
from comments.models import Comment
from comments.rendering import UnrenderableComment, render_comment, sanitize
from core.mathjax.html import MATH_WRAPPER, strip_math
from tests.comments.test_sanitizing import assert_inert

PIECES = [
    "$", "$$", "\\(", "\\)", "\\[", "\\]", "\\begin{equation}", "\\end{equation}", "\\href{",
    "}", "{", "[", "]", "(", ")", "](", "![", "<", ">", "</", "/>", "<!--", "-->", "<![CDATA[",
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<a href=", "<svg onload=x>",
    "<style>", "<iframe>", "<form>", "<math>", "<span class=arithmatex>", "<div class=", '"',
    "'", "=", "`", "```", "~~~", "*", "**", "_", "> ", "- ", "1. ", "    ", "\n", "\n\n", "\t",
    "\x00", "\x0b", "\u200b", "\ufeff", "javascript:", "JaVaScRiPt:", "data:text/html,",
    "vbscript:", "http://", "https://a.com/", "www.a.com", "mailto:", "a@b.c", "&", "&#106;",
    "&#x6A;", "&colon;", "&Tab;", "&lt;", "&amp;", "on" + "error=", "style=", "{: .x }",
    "x", "数学", "😀",
]  # fmt: skip

bodies = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40).map("".join)
html_fragments = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.text(alphabet="<>/=\"' &;#xabcdefghijklmnopqrstuvwxyz:!-\n", max_size=12),
    ),
    max_size=40,
).map("".join)

SANITIZERS = pytest.mark.parametrize("library", ["bleach", "nh3"])


@pytest.fixture
def use(monkeypatch):
    """Switch the sanitizer for one test (function-scoped, so set before @given runs)."""

    def choose(library):
        monkeypatch.setattr(rendering, "SANITIZER", library)

    return choose


@SANITIZERS
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(html=html_fragments)
def test_sanitizing_twice_changes_nothing(use, library, html):
    use(library)
    once = sanitize(html)
    assert sanitize(once) == once


@SANITIZERS
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(html=html_fragments)
def test_sanitized_html_is_inert(use, library, html):
    use(library)
    assert_inert(sanitize(html))


@SANITIZERS
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
def test_a_rendered_comment_is_inert_or_refused(use, library, body):
    use(library)
    try:
        html = render_comment(body)
    except UnrenderableComment:
        return
    assert_inert(html)
    assert sanitize(html) == html  # what is stored is already a fixed point


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=bodies,
    name=st.one_of(st.sampled_from(PIECES), st.text(max_size=60)),
    email=st.one_of(st.just("reader@example.com"), st.text(max_size=30)),
    url=st.one_of(st.just(""), st.sampled_from(PIECES), st.text(max_size=30)),
    notify=st.booleans(),
)
def test_the_comment_form_answers_random_input_without_a_server_error(
    client, post, form_data, settings, body, name, email, url, notify
):
    settings.COMMENTS_MODERATION = "approve_all"
    fields = {"body": body, "author_name": name, "author_email": email, "author_url": url}
    if notify:
        fields["notify_on_reply"] = "on"
    before = Comment.objects.count()
    response = client.post(f"/archives/{post.pk}/comment", form_data(**fields))
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        # The comment posted, or the identical one an earlier example stored (a double post).
        stored = Comment.objects.get(pk=response["Location"].rpartition("#comment-")[2])
        assert stored.body.strip() == body.strip().replace("\r\n", "\n")
        assert_inert_with_typeset_math(stored.body_html)
    else:
        assert Comment.objects.count() == before  # refused means nothing half-saved


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
def test_the_preview_answers_random_input_without_a_server_error(client, body):
    response = client.post("/comments/preview/", {"body": body})
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 200:
        assert_inert(response.content.decode())


class _TypesetMathAudit(HTMLParser):
    """Problems inside MathJax's output: elements that run or embed, handlers, script URLs."""

    FORBIDDEN = {"script", "iframe", "object", "embed", "foreignobject", "style", "form"}

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in self.FORBIDDEN:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name} on <{tag}>")
            target = (value or "").strip().lower()
            if name in ("href", "src", "xlink:href") and not target.startswith(
                ("#", "http://", "https://")
            ):
                self.problems.append(f"{name}={value!r} on <{tag}>")


def assert_inert_with_typeset_math(body_html):
    """A stored comment: the sanitizer's allowlist outside the formulas, and inside them only
    what MathJax drew from the TeX (no element that runs or embeds, no handler, no script URL)."""
    assert_inert(strip_math(body_html))
    audit = _TypesetMathAudit()
    for match in MATH_WRAPPER.finditer(body_html):
        audit.feed(match.group(3))
    audit.close()
    assert not audit.problems, f"{body_html!r}: {audit.problems}"
