"""Math typeset on the server reads exactly as MathJax in the browser typesets the same post."""

import re

import pytest

from blog import demo
from tests.factories import make_post

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
