"""Every reader gets a first-class page: axe-core and the Nu checker find nothing serious, the
keyboard reaches everything, a deep reply stays readable on a phone, and night reading works.

One gunicorn and one Chromium serve the whole module; each test fills the database with the
sample site of tests/sample_site.py.
axe runs on every audited page at 1280 and 390 px, in the light theme with the Chinese UI and
in the dark theme with the English one; the post page, the richest, in all four pairings.
"""

import urllib.request

import pytest

from tests.browser import audit
from tests.conftest import require_browser_tool

pytestmark = pytest.mark.browser

PAIRINGS = [
    ("light", "zh-hans"),
    ("dark", "en"),
]


def new_page(chromium, width, theme="light", language="zh-hans"):
    context = chromium.new_context(
        viewport={"width": width, "height": 900},
        color_scheme=theme,
        extra_http_headers={"Accept-Language": language},
    )
    return context.new_page()


def assert_no_serious_violations(found_by_page):
    found = {name: violations for name, violations in found_by_page.items() if violations}
    assert not found, "\n".join(
        f"{name}:\n{audit.describe_violations(violations)}" for name, violations in found.items()
    )


@pytest.mark.parametrize("width", audit.WIDTHS.values(), ids=audit.WIDTHS.keys())
@pytest.mark.parametrize(("theme", "language"), PAIRINGS, ids=["light-zh", "dark-en"])
def test_every_audited_page_has_no_serious_axe_violation(
    sample_server, sample_site, chromium, width, theme, language
):
    server, site = sample_server, sample_site
    page = new_page(chromium, width, theme, language)
    found = {}
    for name, url in site.page_urls().items():
        audit.open_page(page, server.url + url)
        found[name] = audit.axe_violations(page)
    audit.show_comment_preview(page, server.url, site)
    found["comment preview"] = audit.axe_violations(page)
    audit.log_in(page, server.url, site)
    page.goto(server.url + site.admin_editor_url)
    found["admin post editor"] = audit.axe_violations(page)
    page.goto(server.url + site.admin_page_editor_url)
    found["admin page editor"] = audit.axe_violations(page)
    page.context.close()
    assert_no_serious_violations(found)


@pytest.mark.parametrize(("theme", "language"), [("dark", "zh-hans"), ("light", "en")])
@pytest.mark.parametrize("width", audit.WIDTHS.values(), ids=audit.WIDTHS.keys())
def test_the_post_page_has_no_serious_axe_violation_in_the_other_pairings(
    sample_server, sample_site, chromium, width, theme, language
):
    server, site = sample_server, sample_site
    page = new_page(chromium, width, theme, language)
    audit.open_page(page, server.url + site.math_post_url)
    found = {"post": audit.axe_violations(page)}
    page.context.close()
    assert_no_serious_violations(found)


def test_audited_pages_have_no_nu_checker_errors(sample_server, sample_site, chromium):
    require_browser_tool(audit.java_available(), "the Nu checker needs Java and npm's vnu-jar")
    server, site = sample_server, sample_site
    documents = {}
    for language in ("zh-hans", "en"):
        for name, url in site.page_urls().items():
            request = urllib.request.Request(
                server.url + url, headers={"Accept-Language": language}
            )
            try:
                with urllib.request.urlopen(request) as response:
                    html = response.read()
            except urllib.error.HTTPError as error:  # the 404 page
                html = error.read()
            documents[f"{name} ({language})"] = html.decode()
    page = new_page(chromium, 1280)
    documents["comment preview page"] = audit.show_comment_preview(page, server.url, site)
    audit.log_in(page, server.url, site)
    for name, url in (
        ("admin post editor", site.admin_editor_url),
        ("admin page editor", site.admin_page_editor_url),
    ):
        documents[name] = page.request.get(server.url + url).text()
    page.context.close()
    errors = {name: found for name, found in audit.nu_errors(documents).items() if found}
    assert not errors, "\n".join(f"{name}: {found}" for name, found in errors.items())


def focused(page):
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(),
                classes: el.className && el.className.baseVal === undefined ? el.className : "",
                name: el.name || "",
                ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
                inView: (() => {
                    const box = el.getBoundingClientRect();
                    return box.bottom > 0 && box.top < innerHeight && box.width > 0;
                })(),
            };
        }"""
    )


def tab_until(page, predicate, key="Tab", limit=400):
    """Press Tab until the focused element matches; return it (fails after `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press(key)
        element = focused(page)
        if predicate(element):
            return element
    raise AssertionError("never reached by the Tab key")


@pytest.mark.parametrize("width", audit.WIDTHS.values(), ids=audit.WIDTHS.keys())
def test_a_keyboard_only_reader_skips_to_content_and_replies_previews_cancels_and_submits(
    sample_server, sample_site, chromium, width
):
    server, site = sample_server, sample_site
    page = new_page(chromium, width)
    audit.open_page(page, server.url + site.math_post_url)

    # The first Tab shows the skip link; Enter takes focus to the main column.
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["classes"] == "skip-link" and skip["inView"] and skip["ring"], skip
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"

    # 回复 under a comment: reached by Tab, drawn with a focus ring, moves the form there.
    reply = tab_until(page, lambda el: "reply-link" in el["classes"])
    assert reply["ring"] and reply["inView"], reply
    page.keyboard.press("Enter")
    assert page.locator(".comment .comment-body + #respond").count() == 1
    assert page.evaluate("document.activeElement.name") == "body"
    page.keyboard.type("键盘写的回复：$x^2$")

    # 预览效果, by keyboard: the preview appears and focus stays on the button.
    preview = tab_until(page, lambda el: "preview-button" in el["classes"])
    assert preview["ring"], preview
    page.keyboard.press("Enter")
    page.wait_for_selector(".comment-preview mjx-container", timeout=30_000)
    assert "preview-button" in focused(page)["classes"]

    # Escape puts the form back and focus on the 回复 link it came from.
    page.keyboard.press("Escape")
    assert page.locator(".comment #respond").count() == 0
    assert "reply-link" in focused(page)["classes"]

    # 回复 again, then 取消回复 (Shift+Tab back from the text box) with Enter does the same.
    page.keyboard.press("Enter")
    tab_until(page, lambda el: "cancel-reply" in el["classes"], key="Shift+Tab", limit=10)
    page.keyboard.press("Enter")
    assert page.locator(".comment #respond").count() == 0
    assert "reply-link" in focused(page)["classes"]

    # 提交评论 with the keyboard alone: fill the form by typing and submit with Enter.
    tab_until(page, lambda el: el["name"] == "author_name")
    page.keyboard.type("键盘读者")
    page.keyboard.press("Tab")
    page.keyboard.type("keyboard@example.com")
    tab_until(page, lambda el: el["tag"] == "textarea")
    page.keyboard.type(f"只用键盘发表的评论（{width} px）。")
    submit = tab_until(page, lambda el: "submit-button" in el["classes"])
    assert submit["ring"], submit
    page.wait_for_timeout(3200)  # the form refuses posts made under 3 s after it was served
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "#comment-" in page.url
    assert (
        page.locator(".comment-content", has_text=f"只用键盘发表的评论（{width} px）。").count()
        == 1
    )
    page.context.close()


def deepest_comment_width(page):
    return page.evaluate(
        """() => Math.min(...[...document.querySelectorAll(".comment-content")]
            .map(el => el.getBoundingClientRect().width))"""
    )


@pytest.mark.parametrize(("width", "least"), [(390, 260), (1280, 400)], ids=["phone", "desktop"])
def test_a_reply_ten_levels_deep_keeps_a_readable_column(
    sample_server, sample_site, chromium, width, least
):
    server, site = sample_server, sample_site
    page = new_page(chromium, width)
    audit.open_page(page, server.url + site.math_post_url)
    depth = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll(".comment")].map(el => {
            let levels = 1;  // a comment that answers the post
            let list = el.closest(".children");
            while (list) {
                levels++;
                list = list.parentElement.closest(".children");
            }
            return levels;
        }))"""
    )
    assert depth >= 10
    assert deepest_comment_width(page) >= least
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.context.close()


def colour(page, selector, prop):
    return page.evaluate(
        "([s, p]) => getComputedStyle(document.querySelector(s))[p]", [selector, prop]
    )


def luminance(rgb):
    channels = [int(x) / 255 for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_night_reading_follows_the_system_and_a_remembered_choice_without_a_flash(
    sample_server, sample_site, chromium
):
    server, site = sample_server, sample_site
    page = new_page(chromium, 1280, theme="dark")
    audit.open_page(page, server.url + site.math_post_url)
    # The system's dark preference, with no choice made: dark page, light text and math.
    assert luminance(colour(page, "body", "backgroundColor")) < 0.05
    assert luminance(colour(page, ".post-body mjx-container", "color")) > 0.6
    assert luminance(colour(page, ".citation", "backgroundColor")) < 0.05

    # The theme is set by a script that blocks before the stylesheets: no light first paint.
    assert page.evaluate(
        """() => {
            const script = document.querySelector('head script[src*="theme"]');
            const sheet = document.querySelector('head link[rel=stylesheet]');
            return !script.defer && !script.async &&
                (script.compareDocumentPosition(sheet) & Node.DOCUMENT_POSITION_FOLLOWING) > 0;
        }"""
    )

    # The switch turns the page light; the choice outlives a reload.
    toggle = page.locator("[data-theme-toggle]")
    assert toggle.get_attribute("aria-pressed") == "true"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "false"
    assert luminance(colour(page, "body", "backgroundColor")) > 0.9
    page.reload(wait_until="domcontentloaded")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert luminance(colour(page, "body", "backgroundColor")) > 0.9

    # Choosing what the system prefers goes back to following the system.
    page.locator("[data-theme-toggle]").click()
    assert page.evaluate("localStorage.getItem('theme')") == "auto"
    assert luminance(colour(page, "body", "backgroundColor")) < 0.05

    # Code keeps its highlighting, in dark colours.
    audit.open_page(page, server.url + site.code_post_url)
    assert luminance(colour(page, ".highlight", "backgroundColor")) < 0.05
    assert luminance(colour(page, ".highlight .k", "color")) > 0.2

    # Print stays light whatever the screen shows.
    page.emulate_media(media="print")
    assert luminance(colour(page, "body", "backgroundColor")) > 0.9
    assert luminance(colour(page, ".post-body", "color")) < 0.05
    assert luminance(colour(page, ".highlight pre", "backgroundColor")) > 0.8
    assert luminance(colour(page, ".highlight .k", "color")) < 0.3
    page.context.close()
