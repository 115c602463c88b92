"""Math on a phone: at 390 px no display formula is cut without a way to see the rest of it,
and every equation number stays on screen, also while its formula is scrolled sideways.

Every display formula of every demo post is measured, and those of a reply deep in a thread.
"""

import pytest

from blog.models import Post
from comments.models import Comment
from tests.browser import audit
from tests.browser.test_accessibility import new_page

pytestmark = pytest.mark.browser

PHONE = 390

WIDE_REPLY = (
    r"展开到第五项："
    r"$$\begin{equation}e^{x} = 1 + x + \frac{x^2}{2!} + \frac{x^3}{3!} + \frac{x^4}{4!}"
    r" + \frac{x^5}{5!} + \frac{x^6}{6!} + \cdots \label{eq:reply-exp}\end{equation}$$"
)

# For each display formula: does it fit or scroll, and where its numbers are drawn, first as
# the page opens, then with the formula scrolled halfway and to its end.
MEASURE = """async () => {
  // A scroll event is delivered with the next frame; the numbers move in its handler.
  const nextFrames = () => new Promise((done) =>
    requestAnimationFrame(() => requestAnimationFrame(done)));
  const formulas = [...document.querySelectorAll(
    ".post-body mjx-container[display=true], .comment-content mjx-container[display=true]")];
  const numbers = (c) => [...c.querySelectorAll(
      "mjx-mtable[side=right] > mjx-labels mjx-mtd, svg[data-labels] [id^='mjx-eqn']")]
    .map((n) => n.getBoundingClientRect())
    .filter((r) => r.width > 0)
    .map((r) => [r.left, r.right]);
  const found = [];
  for (const c of formulas) {
    const box = c.getBoundingClientRect();
    const hidden = c.scrollWidth - c.clientWidth;
    const seen = [];
    for (const at of [0, hidden / 2, hidden]) {
      c.scrollLeft = at;
      await nextFrames();
      seen.push(numbers(c));
    }
    c.scrollLeft = 0;
    found.push({
      tex: (c.querySelector("[data-latex]") || {dataset: {}}).dataset.latex || "",
      left: box.left, right: box.right, hidden: hidden,
      overflow: getComputedStyle(c).overflowX, numbers: seen,
    });
  }
  return found;
}"""


def formulas_out_of_reach(page):
    """Describe each display formula a phone reader could not see whole, or whose number hides."""
    found = page.evaluate(MEASURE)
    faults = []
    for formula in found:
        name = formula["tex"][:50]
        if formula["left"] < -1 or formula["right"] > PHONE + 1:
            faults.append(f"{name}: the formula's box leaves the screen")
        if formula["hidden"] > 1 and formula["overflow"] not in ("auto", "scroll"):
            faults.append(f"{name}: cut by {formula['hidden']} px and cannot be scrolled")
        for numbers in formula["numbers"]:
            for left, right in numbers:
                if left < formula["left"] - 1 or right > formula["right"] + 1:
                    faults.append(
                        f"{name}: equation number at {left:.0f}–{right:.0f} px is off screen"
                    )
                    break
    return found, faults


def test_every_display_formula_fits_a_phone_or_scrolls_with_its_number_in_sight(
    sample_server, sample_site, chromium
):
    server = sample_server
    deepest = Comment.objects.order_by("-level").first()
    Comment(
        post=deepest.post,
        parent=deepest,
        author_name="深处的读者",
        author_email="deep@example.com",
        ip_address="203.0.113.10",
        status="approved",
        body=WIDE_REPLY,
    ).save()
    page = new_page(chromium, PHONE)
    faults, scrolling_numbered = [], 0
    for post in Post.objects.published():
        audit.open_page(page, server.url + post.get_absolute_url())
        found, post_faults = formulas_out_of_reach(page)
        faults += [f"{post.get_absolute_url()} {fault}" for fault in post_faults]
        scrolling_numbered += sum(1 for f in found if f["hidden"] > 1 and any(f["numbers"]))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    page.context.close()

    assert not faults, "\n".join(faults)
    # The demo posts and the deep reply hold numbered equations wider than a phone: the check
    # above measured the case it is about.
    assert scrolling_numbered >= 2
