"""Math typeset on the server reads exactly as MathJax in the browser typesets the same post."""

import re

import pytest

from blog import demo
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.browser

READ_MATH = """(scope) => {
    const body = document.querySelector(".post-body");
    const local = (id) => decodeURIComponent(id).replace(scope, "SCOPE-");
    // The browser's explorer moves a link's target to data-mjx-href (it follows links itself).
    const target = (a) => (a.getAttribute("href") || a.getAttribute("data-mjx-href")).slice(1);
    const anchors = () => body.querySelectorAll(
        "mjx-container a[href^='#'], mjx-container a[data-mjx-href^='#']");
    // What a number or link reads: CHTML's text, or the characters of SVG's glyphs.
    const drawn = (element) => element.textContent.trim() || [...element.querySelectorAll(
        "[data-c]")].map((glyph) => String.fromCodePoint(parseInt(glyph.dataset.c, 16))).join("");
    return {
        containers: body.querySelectorAll("mjx-container").length,
        equations: [...body.querySelectorAll(
            "mjx-labels mjx-mtd[id], svg[data-labels] [id^='mjx-eqn']")].map(
            (number) => [local(number.id), drawn(number)]),
        links: [...anchors()].map((a) => [local(target(a)), drawn(a)]),
        unresolved: body.textContent.includes("(???)"),
        targets_exist: [...anchors()].every(
            (a) => !!document.getElementById(decodeURIComponent(target(a)))),
        scripts: [...document.scripts].map((s) => s.src).filter((s) => s.includes("mathjax")),
    };
}"""


def read_math(page, url, post):
    page.goto(url)
    page.wait_for_selector("html[data-math-typeset=done]", timeout=60_000)
    return page.evaluate(READ_MATH, f"mjx-eqn:p{post.pk}-")


@pytest.mark.parametrize("demo_post", demo.load_posts(), ids=lambda post: post.name)
def test_server_numbers_and_links_equal_the_browsers_on_every_demo_post(
    gunicorn_server, browser_page, author, category, settings, demo_post
):
    server = make_post(author=author, category=category, body=demo_post.body, status="published")
    settings.MATH_RENDER_ON_SAVE = False  # this copy is typeset by MathJax in the browser
    browser = make_post(author=author, category=category, body=demo_post.body, status="published")
    assert not server.needs_browser_math and browser.needs_browser_math

    site = gunicorn_server.url
    requested = []
    browser_page.on("request", lambda request: requested.append(request.url))
    typeset_early = read_math(browser_page, site + server.get_absolute_url(), server)
    typeset_late = read_math(browser_page, site + browser.get_absolute_url(), browser)

    assert typeset_early["scripts"] == []  # no MathJax at all on the server-typeset page
    assert typeset_late["scripts"]  # the other one had to load it
    for key in ("containers", "equations", "links"):
        assert typeset_early[key] == typeset_late[key], key
    assert not typeset_early["unresolved"]
    assert typeset_early["targets_exist"]
    # MathJax in the browser, its fonts and speech rules all come from our own static files.
    assert all(url.startswith((site, "data:", "blob:")) for url in requested), requested
    if re.search(r"\\begin\{(equation|align|gather)\}", demo_post.body):
        assert typeset_early["equations"]


GLYPH_HEIGHTS = """() => {
    // The drawn height of the first "E" of each formula, numbered or inline, post or comment.
    const height = (formula) => formula.querySelector("use[data-c='1D438']")
        .getBoundingClientRect().height;
    const text = (scope) => parseFloat(getComputedStyle(document.querySelector(scope)).fontSize);
    const formulas = (scope) => document.querySelectorAll(scope + " mjx-container");
    const [postNumbered, postInline] = formulas(".post-body");
    const [commentNumbered, commentInline] = formulas(".comment-content");
    return {
        post: [height(postNumbered), height(postInline), text(".post-body")],
        comment: [height(commentNumbered), height(commentInline), text(".comment-content")],
        numbered: [postNumbered, commentNumbered].every((f) => f.getAttribute("width") === "full"),
    };
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_numbered_equations_take_the_size_of_the_text_around_them(
    gunicorn_server, browser_page, author, category, width
):
    # A numbered equation spans the column, and MathJax lays it out from an assumed 16 px
    # em; comments (and phones) set smaller text, where it must shrink with the text.
    post = make_post(
        author=author,
        category=category,
        body=r"\begin{equation}E=mc^2\end{equation} and inline \(E=mc^2\).",
        status="published",
    )
    make_comment(post, body="$$E=mc^2\\tag{1}$$\n\nand inline \\(E=mc^2\\).")
    browser_page.set_viewport_size({"width": width, "height": 900})
    browser_page.goto(gunicorn_server.url + post.get_absolute_url())
    browser_page.wait_for_selector("html[data-math-typeset=done]", timeout=60_000)

    sizes = browser_page.evaluate(GLYPH_HEIGHTS)

    assert sizes["numbered"]
    for numbered, inline, font_size in (sizes["post"], sizes["comment"]):
        assert numbered == pytest.approx(inline, rel=0.01)
        assert numbered == pytest.approx(font_size * 0.68, rel=0.1)  # an italic E's height
    post_numbered, comment_numbered = sizes["post"][0], sizes["comment"][0]
    text_ratio = sizes["comment"][2] / sizes["post"][2]
    assert comment_numbered / post_numbered == pytest.approx(text_ratio, rel=0.01)


def test_comments_sharing_glyph_outlines_all_draw_them(gunicorn_server, browser_page, post):
    comments = [make_comment(post, body=r"同一个式子 $\sum_i x_i^2$") for _ in range(3)]
    browser_page.goto(gunicorn_server.url + post.get_absolute_url())

    sizes = browser_page.evaluate(
        """(ids) => ids.map((id) => {
            const glyphs = document.querySelectorAll(`#comment-${id} .comment-content use`);
            return [...glyphs].map((use) => {
                const box = use.getBoundingClientRect();
                return [Math.round(box.width * 10), Math.round(box.height * 10)];
            });
        })""",
        [comment.pk for comment in comments],
    )

    outlines = browser_page.evaluate(
        "(ids) => ids.map((id) => document.querySelectorAll(`#comment-${id} path`).length)",
        [comment.pk for comment in comments],
    )
    assert outlines[0] > 0 and outlines[1:] == [0, 0]  # only the first defines them
    first, *later = sizes
    assert first and all(width > 0 and height > 0 for width, height in first)
    assert all(drawn == first for drawn in later)  # drawn from the first comment's outlines
