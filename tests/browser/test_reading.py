"""A reader in real headless Chromium: home page, 点击阅读全文..., math typeset by MathJax."""

import pytest

from tests.factories import make_post

pytestmark = pytest.mark.browser

BODY = r"""能量守恒给出
\begin{equation}E = \frac{1}{2} m v_1^2 + m g h_1 \label{eq:energy}\end{equation}
于是由$\eqref{eq:energy}$可以求出速度。

<!--more-->

两边对时间求导：
\begin{equation}\frac{dE}{dt} = m v \dot{v} + m g \dot{h} = 0 \label{eq:deriv}\end{equation}
结合式$\eqref{eq:energy}$与$\eqref{eq:deriv}$即得 $\dot{v} = -g \dot{h}/v$。
"""


def test_reader_follows_read_more_and_sees_typeset_numbered_equations(
    gunicorn_server, browser_page, author, category
):
    post = make_post(author=author, category=category, title="能量守恒与速度", body=BODY)
    page = browser_page

    page.goto(gunicorn_server.url + "/")
    page.wait_for_selector("html[data-math-typeset=done]", timeout=20_000)
    assert page.locator(".entry-excerpt mjx-container").count() >= 2

    page.click("text=点击阅读全文...")
    page.wait_for_url(f"**/archives/{post.pk}")
    page.wait_for_selector("html[data-math-typeset=done]", timeout=20_000)

    body = page.locator(".post-body")
    assert body.locator("mjx-container").count() >= 5
    visible_text = body.inner_text()
    assert r"\begin{equation}" not in visible_text
    assert r"\eqref" not in visible_text
    assert "(1)" in visible_text
    assert "(2)" in visible_text
    # \eqref became a link to the numbered equation.
    assert body.locator('mjx-container a[href*="energy"]').count() >= 1
    assert page.locator("mjx-merror").count() == 0
