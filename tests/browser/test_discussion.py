"""A commenter in real headless Chromium: comment, reply in place, math, sidebar."""

import pytest

from blog import labels
from tests.conftest import GunicornServer
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.browser


@pytest.fixture
def open_discussion_server(transactional_db):
    """gunicorn that approves every comment and has no per-IP limit, for a quick exchange."""
    server = GunicornServer(COMMENTS_MODERATION="approve_all", COMMENTS_RATE_LIMITS="")
    yield server
    server.stop()


def fill_and_submit(page, scope, body):
    # The form refuses posts made under 3 s after it was served (an anti-bot rule).
    page.wait_for_timeout(3200)
    page.fill(f"{scope} textarea[name=body]", body)
    page.click(f"{scope} .submit-button")
    page.wait_for_load_state("load")


def test_commenter_posts_replies_in_place_and_sees_math_and_the_sidebar(
    open_discussion_server, browser_page, author, category
):
    post = make_post(author=author, category=category, title="讨论区测试")
    page = browser_page
    page.goto(open_discussion_server.url + post.get_absolute_url())

    page.fill("input[name=author_name]", "王五")
    page.fill("input[name=author_email]", "wangwu@example.com")
    fill_and_submit(page, "#respond", r"按 $\alpha_1 + \beta_2$ 计算，结果不同。")
    page.wait_for_selector("html[data-math-typeset=done]", timeout=20_000)
    first = page.locator(".comment").first
    assert "王五" in first.inner_text()
    assert first.locator(".comment-content mjx-container").count() == 1
    assert r"\alpha" not in first.locator(".comment-content").inner_text()

    # 回复 moves the form under the comment without leaving the page; fields are remembered.
    first.locator(".reply-link").click()
    assert page.locator(".comment .comment-body + #respond").count() == 1
    assert page.locator("#respond .replying").is_visible()
    assert page.inner_text("#respond .replying-name") == "@王五"
    assert page.input_value("input[name=author_name]") == "王五"
    page.fill("input[name=author_name]", "赵六")
    page.fill("input[name=author_email]", "zhaoliu@example.com")
    fill_and_submit(page, "#respond", "同意，补充一点：$e^{i\\pi}+1=0$。")
    page.wait_for_selector("html[data-math-typeset=done]", timeout=20_000)

    nested = page.locator(".comment .children .comment")
    assert nested.count() == 1
    assert "赵六" in nested.first.inner_text()
    assert nested.first.locator("mjx-container").count() == 1
    sidebar = page.locator(".recent-comments").inner_text()
    assert "王五" in sidebar and "赵六" in sidebar


def test_chromium_reads_a_discussion_sent_as_zstd_frames_with_the_values_between_them(
    gunicorn_server, browser_page, author, category
):
    post = make_post(author=author, category=category, title="长讨论")
    for number in range(30):
        make_comment(post, body=f"第{number}条：" + "这一步的推导还可以换一种写法。" * 8)
    page = browser_page
    tokens = set()
    for _ in range(2):  # built and stored, then served from the stored page
        page.context.clear_cookies()  # a new visitor each time: a new CSRF cookie
        response = page.goto(gunicorn_server.url + post.get_absolute_url())
        assert response.headers["content-encoding"] == "zstd"
        # The reader count and the CSRF token are raw frames between the compressed parts.
        assert page.inner_text(".post .views") == labels.readers(0)  # headless: not counted
        tokens.add(page.input_value("#respond input[name=csrfmiddlewaretoken]"))
        assert page.locator(".comment").count() == 20  # the first page of threads
        assert page.locator("footer").count() >= 1  # and the page after the last value
    assert len(tokens) == 2 and all(len(token) == 64 for token in tokens)


def test_preview_shows_the_comment_typeset_before_posting(
    gunicorn_server, browser_page, author, category
):
    post = make_post(author=author, category=category)
    page = browser_page
    page.goto(gunicorn_server.url + post.get_absolute_url())
    page.fill("textarea[name=body]", "**加粗** 与 $\\sqrt{x_1}$")
    page.click(".preview-button")
    page.wait_for_selector(".comment-preview mjx-container", timeout=20_000)
    assert "加粗" in page.locator(".comment-preview strong").inner_text()
    assert page.url.endswith(post.get_absolute_url())


def test_an_unreachable_gravatar_is_replaced_by_the_sites_own_identicon(
    gunicorn_server, browser_page, author, category
):
    from tests.factories import make_comment

    post = make_post(author=author, category=category, title="头像测试")
    comments = [make_comment(post, author_email=f"reader{n}@example.com") for n in range(2)]
    page = browser_page
    page.route("https://www.gravatar.com/**", lambda route: route.abort())  # offline
    page.goto(gunicorn_server.url + post.get_absolute_url())
    for comment in comments:
        avatar = page.locator(f"#comment-{comment.pk} img.avatar")
        identicon = f"/comments/avatar/{comment.email_hash}.svg"
        page.wait_for_function(
            "([img, end]) => img.getAttribute('src') === end && img.naturalWidth > 0",
            arg=[avatar.element_handle(), identicon],
            timeout=10_000,
        )
