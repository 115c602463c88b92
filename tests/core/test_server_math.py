"""Math typeset on the server when content is saved (core/mathjax/), and what happens without it."""

import re

import pytest
from django.core.management import call_command

from comments.models import Comment
from core import mathjax
from core.mathjax import client, stylesheet
from core.models import MathStylesheet
from pages.models import Page
from tests.factories import make_comment, make_post

BODY = r"""由 $\eqref{eq:later}$ 可知（引用在前，定义在后）。

\begin{equation}E = mc^2 \label{eq:energy}\end{equation}

再看
\begin{equation}F = ma \label{eq:later}\end{equation}
以及 $\eqref{eq:energy}$。"""


@pytest.fixture
def no_node(settings):
    """A machine without Node.js: the renderer cannot start."""
    settings.MATH_RENDER_NODE = "/nonexistent/node"
    client.stop()
    yield
    client.stop()


def equation_numbers(html):
    """The numbers of numbered equations and the ids they carry, in order.

    In SVG a number is drawn from glyphs, each naming its character's code point (data-c).
    """
    numbers = []
    for labels in re.findall(r'<svg data-labels="true".*?</svg>', html, re.S):
        cells = re.findall(r'id="mjx-eqn:([^"]+)"(.*?)(?=id="mjx-eqn:|$)', labels, re.S)
        for label, cell in cells:
            drawn = "".join(chr(int(code, 16)) for code in re.findall(r'data-c="(\w+)"', cell))
            numbers.append((label, drawn.strip("()")))
    return numbers


def glyph_ids(html):
    """The ids of the glyph outlines the HTML defines, and those its formulas use."""
    defined = re.findall(r'<path id="(MJX-[^"]+)"', html)
    used = set(re.findall(r'xlink:href="#(MJX-[^"]+)"', html))
    return defined, used


def test_a_saved_post_holds_typeset_math_numbered_and_linked_per_post(author, category):
    post = make_post(author=author, category=category, body=BODY)
    html = post.body_html
    assert "\\begin{equation}" not in re.sub(r'data-latex="[^"]*"', "", html)
    assert equation_numbers(html) == [(f"p{post.pk}-eq:energy", "1"), (f"p{post.pk}-eq:later", "2")]
    # \eqref before its \label resolves too, and links to the equation's id.
    links = re.findall(r'<a href="#([^"]*)"', html)
    assert links == [f"mjx-eqn%3Ap{post.pk}-eq%3Alater", f"mjx-eqn%3Ap{post.pk}-eq%3Aenergy"]
    assert "(???)" not in html
    # Screen readers get the MathML of every formula.
    assert html.count("<mjx-assistive-mml") == html.count("<mjx-container")
    assert post.math_error == ""
    assert post.math_labels["eq:energy"] == {"tag": "1", "id": f"mjx-eqn:p{post.pk}-eq:energy"}


def test_a_page_whose_math_is_all_typeset_loads_no_mathjax(client, author, category):
    post = make_post(author=author, category=category, body=BODY)
    make_comment(post, body="评论里的 $x^2$")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "tex-chtml" not in html.replace('data-mathjax="/static/vendor/mathjax/tex-chtml.js"', "")
    assert '<script src="/static/vendor/mathjax' not in html
    assert 'class="arithmatex">\\(' not in html
    digest = MathStylesheet.objects.get().digest
    assert f'<link rel="stylesheet" href="/math/{digest}.css">' in html
    # The formulas are SVG carrying their glyphs' outlines: no font to wait for.
    assert 'jax="SVG"' in html and "woff2" not in html


def test_each_typeset_document_defines_the_glyphs_it_uses_under_ids_of_its_own(author, category):
    body = r"$\mathbb{R}$、$x$ 与 $$x^2 + \alpha$$"
    post = make_post(author=author, category=category, body=body)
    comment = make_comment(post, body=r"$x + \mathbb{R}$")
    post_defined, post_used = glyph_ids(post.body_html)
    comment_defined, comment_used = glyph_ids(comment.body_html)
    # Defined once, before the first formula (so it is there when the first one is painted).
    assert post.body_html.index("<defs>") < post.body_html.index('data-mml-node="math"')
    assert len(post_defined) == len(set(post_defined)) and post_used == set(post_defined)
    assert f"MJX-p{post.pk}-NCM-DS-211D" in post_used  # the double-struck R
    assert comment_used == set(comment_defined)
    # A post and its comments are on one page: their ids must not meet.
    assert not set(post_defined) & set(comment_defined)


def test_the_math_stylesheet_needs_no_font_and_is_kept_for_a_year(client, post):
    make_post(author=post.author, category=post.category, body=r"$\mathbb{R}$ 与 $\int_0^1$")
    digest = MathStylesheet.objects.get().digest
    response = client.get(f"/math/{digest}.css")
    css = response.content.decode()
    assert response["Content-Type"].startswith("text/css")
    assert "immutable" in response["Cache-Control"]
    assert 'mjx-container[jax="SVG"]' in css
    assert all(url.startswith("data:") for url in re.findall(r"url\(([^)]+)\)", css))
    assert "https:" not in css
    # An older address gets today's rules (a superset), briefly cached.
    assert "immutable" not in client.get("/math/000000000000.css")["Cache-Control"]


def test_math_typeset_as_chtml_before_the_upgrade_keeps_its_fonts_until_typeset_again(client, post):
    """A site upgraded from CHTML output shows its stored math right until `typeset_math` runs."""
    stylesheet.replace(
        "@font-face /* 0 */ {\n  font-family: MJX-NCM-ZERO;\n"
        '  src: url("MATHJAX-FONT-URL/mjx-ncm-zero.woff2") format("woff2");\n}'
    )
    digest = MathStylesheet.objects.get().digest
    html = client.get("/").content.decode()
    assert 'rel="preload" href="/static/vendor/mathjax-newcm-font/chtml/woff2/mjx-ncm-n.' in html
    css = client.get(f"/math/{digest}.css").content.decode()
    assert 'url("/static/vendor/mathjax-newcm-font/chtml/woff2/mjx-ncm-zero.' in css


def test_the_renderer_is_one_process_reused_from_save_to_save(author, category):
    make_post(author=author, category=category, body="$a$")
    first = client._renderer._process.pid
    make_post(author=author, category=category, body="$b$")
    assert client._renderer._process.pid == first


def test_a_comment_is_typeset_after_sanitizing_and_links_to_the_posts_equations(author, category):
    post = make_post(author=author, category=category, body=BODY)
    comment = make_comment(
        post,
        body=r"见 $\eqref{eq:energy}$，我的 $$\begin{equation}y \label{eq:mine}\end{equation}$$"
        r" 与 $\href{javascript:alert(1)}{x}$ <script>alert(1)</script>",
    )
    html = comment.body_html
    assert comment.math_error == ""
    assert "<script" not in html
    assert 'href="javascript' not in html  # MathJax's safe extension drops the link
    # \eqref to the post's equation links to the post's id; the comment's own label has its own.
    assert f'href="#mjx-eqn%3Ap{post.pk}-eq%3Aenergy"' in html
    [(own_id, number)] = equation_numbers(html)
    assert own_id.startswith("c")
    assert own_id.endswith("-eq:mine") and number == "1"
    assert comment.link_count() == 0  # \eqref's links are not the commenter's links


def test_a_comment_label_named_like_the_posts_is_the_comments_own(author, category):
    post = make_post(author=author, category=category, body=BODY)
    comment = make_comment(
        post, body=r"$$\begin{equation}y \label{eq:energy}\end{equation}$$ 即 $\eqref{eq:energy}$"
    )
    assert comment.math_error == ""
    [(own_id, _number)] = equation_numbers(comment.body_html)
    assert not own_id.startswith(f"p{post.pk}-")
    assert f"p{post.pk}-eq" not in comment.body_html


def outlines_and_uses(html):
    """The ids of the glyph outlines defined in `html`, and the ids its formulas draw."""
    return (
        re.findall(r'<path id="(MJX-[^"]+)"', html),
        re.findall(r'xlink:href="#(MJX-[^"]+)"', html),
    )


def test_comments_on_one_page_define_each_glyph_outline_once(client, author, category):
    post = make_post(author=author, category=category, body="正文。", status="published")
    removed = make_comment(post, body=r"删掉的 $x^2 + \alpha$")
    make_comment(post, parent=removed, body=r"回复里同样的 $x^2 + \alpha$ 和新的 $\beta$")
    later = [make_comment(post, body=r"又是 $x^2 + \alpha + \beta$") for _ in range(3)]
    removed.status = Comment.Status.SPAM  # kept as a placeholder for its visible reply
    removed.save()

    html = client.get(post.get_absolute_url()).content.decode()

    outlines, uses = outlines_and_uses(html)
    glyphs = [re.sub(r"^MJX-[a-z0-9]+-", "", outline) for outline in outlines]
    assert sorted(glyphs) == sorted(set(glyphs))  # x, 2, +, α, β: each defined once
    assert set(uses) <= set(outlines)  # and every formula draws an outline on the page
    assert "删掉的" not in html  # the placeholder's outlines are not what the others use
    for comment in later:
        own_outlines, own_uses = outlines_and_uses(comment.body_html)
        assert own_outlines and own_uses  # each comment stored still stands on its own


def test_comments_draw_the_glyphs_their_post_already_defines(client, author, category):
    post = make_post(
        author=author, category=category, body=r"正文里的 $x^2 + \alpha$。", status="published"
    )
    same = make_comment(post, body=r"评论里同样的 $x^2 + \alpha$")
    new = make_comment(post, body=r"同样的 $x$ 和新的 $\beta$")

    html = client.get(post.get_absolute_url()).content.decode()

    outlines, uses = outlines_and_uses(html)
    glyphs = [re.sub(r"^MJX-[a-z0-9]+-", "", outline) for outline in outlines]
    assert sorted(glyphs) == sorted(set(glyphs))  # x, 2, +, α from the post; β from a comment
    assert set(uses) <= set(outlines)
    post_outlines = set(outlines_and_uses(post.body_html)[0])
    assert len(post_outlines) == 4
    assert not set(outlines_and_uses(same.body_html)[0]) & set(outlines)
    (beta,) = set(outlines) - post_outlines  # the one glyph the post does not draw
    assert beta in outlines_and_uses(new.body_html)[0]
    # A comment whose every outline is the post's keeps no empty hidden <svg> of its own.
    assert html.count("SVG-global-cache") == 2  # the post's and the comment drawing β


def test_sharing_drops_a_hidden_svg_left_without_outlines_and_keeps_one_still_needed():
    sharing = mathjax.GlyphSharing()
    sharing.shown_unchanged(
        '<svg style="display: none;" id="MJX-p1-SVG-global-cache"><defs>'
        '<path id="MJX-p1-NCM-I-78" d="M1 1"></path></defs></svg>'
        '<use xlink:href="#MJX-p1-NCM-I-78"></use>'
    )
    emptied = sharing.share(
        '<svg style="display: none;" id="MJX-c1-SVG-global-cache"><defs>'
        '<path id="MJX-c1-NCM-I-78" d="M1 1"></path></defs></svg>'
        '<use xlink:href="#MJX-c1-NCM-I-78"></use>'
    )
    still_needed = sharing.share(
        '<svg style="display: none;" id="MJX-c2-SVG-global-cache"><defs>'
        '<path id="MJX-c2-NCM-I-78" d="M1 1"></path><path id="MJX-c2-NCM-I-79" d="M2 2"></path>'
        '</defs></svg><use xlink:href="#MJX-c2-NCM-I-78"></use>'
        '<use xlink:href="#MJX-c2-NCM-I-79"></use>'
    )
    assert emptied == '<use xlink:href="#MJX-p1-NCM-I-78"></use>'
    assert still_needed == (
        '<svg style="display: none;" id="MJX-c2-SVG-global-cache"><defs>'
        '<path id="MJX-c2-NCM-I-79" d="M2 2"></path></defs></svg>'
        '<use xlink:href="#MJX-p1-NCM-I-78"></use><use xlink:href="#MJX-c2-NCM-I-79"></use>'
    )


def test_sharing_keeps_outlines_of_the_same_name_drawn_differently():
    sharing = mathjax.GlyphSharing()
    first = sharing.share(
        '<path id="MJX-c1-NCM-I-78" d="M1 1"></path><use xlink:href="#MJX-c1-NCM-I-78"></use>'
    )
    second = sharing.share(
        '<path id="MJX-c2-NCM-I-78" d="M1 1"></path><use xlink:href="#MJX-c2-NCM-I-78"></use>'
        '<path id="MJX-c2-NCM-I-79" d="M2 2"></path><use xlink:href="#MJX-c2-NCM-I-79"></use>'
    )
    third = sharing.share(
        '<path id="MJX-c3-NCM-I-78" d="M9 9"></path><use xlink:href="#MJX-c3-NCM-I-78"></use>'
    )
    assert outlines_and_uses(first) == (["MJX-c1-NCM-I-78"], ["MJX-c1-NCM-I-78"])
    assert outlines_and_uses(second) == (
        ["MJX-c2-NCM-I-79"],
        ["MJX-c1-NCM-I-78", "MJX-c2-NCM-I-79"],
    )
    assert outlines_and_uses(third) == (["MJX-c3-NCM-I-78"], ["MJX-c3-NCM-I-78"])


def test_without_node_a_post_still_saves_and_says_why(no_node, client, author, category):
    post = make_post(author=author, category=category, body=BODY, status="published")
    assert "Node.js is not installed" in post.math_error
    assert r'<div class="arithmatex">\[\begin{equation}E = mc^2' in post.body_html
    assert post.needs_browser_math
    # The page keeps the TeX, for MathJax in the reader's browser (site.js loads it).
    html = client.get(post.get_absolute_url()).content.decode()
    assert r"\eqref{eq:later}" in html
    assert 'data-mathjax="/static/vendor/mathjax/tex-chtml.js"' in html
    client.force_login(author)
    admin = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    assert "Node.js is not installed" in admin


def test_without_node_the_page_admin_saves_the_page_and_says_why(no_node, client, author):
    client.force_login(author)
    form = {
        "title": "关于",
        "slug": "about",
        "body_format": "markdown",
        "body": BODY,
        "status": "published",
        "order": "0",
        "published_at_0": "2024-01-01",
        "published_at_1": "10:00:00",
        "author": author.pk,
        "_continue": "1",
    }
    response = client.post("/admin/pages/page/add/", form, follow=True)

    page = Page.objects.get(slug="about")
    assert "Node.js is not installed" in page.math_error
    # The page keeps the TeX, for MathJax in the reader's browser.
    assert 'data-mathjax="/static/vendor/mathjax/tex-chtml.js"' in client.get(
        "/about.html"
    ).content.decode("utf-8")
    messages = [str(message) for message in response.context["messages"]]
    assert any("Node.js is not installed" in message for message in messages)
    # And the change form says it for as long as it holds.
    form = client.get(f"/admin/pages/page/{page.pk}/change/").content.decode()
    assert "Node.js is not installed" in form


def test_without_node_a_comment_still_saves_with_its_tex(no_node, post):
    comment = make_comment(post, body="$x^2$")
    assert comment.math_error
    assert r'<span class="arithmatex">\(x^2\)</span>' in Comment.objects.get().body_html


def test_a_formula_mathjax_cannot_read_leaves_the_post_to_the_browser(author, category):
    post = make_post(author=author, category=category, body=r"好的 $x$，坏的 $\frac{1}{2}}$")
    assert "Extra close brace" in post.math_error
    assert r"\(\frac{1}{2}}\)" in post.body_html
    assert r"\(x\)" in post.body_html  # all or nothing: one document, one numbering


def test_typeset_math_command_retypesets_what_failed_once_node_is_back(settings, post):
    settings.MATH_RENDER_NODE = "/nonexistent/node"
    client.stop()
    post.body = r"$\alpha$ 与 \begin{equation}a \label{eq:a}\end{equation}"
    post.save()
    make_comment(post, body=r"$\beta$ 见 $\eqref{eq:a}$")
    assert post.math_error
    settings.MATH_RENDER_NODE = ""
    call_command("typeset_math", verbosity=0)
    post.refresh_from_db()
    comment = Comment.objects.get()
    assert post.math_error == "" and not post.needs_browser_math
    assert comment.math_error == "" and "<mjx-container" in comment.body_html
    assert f"#mjx-eqn%3Ap{post.pk}-eq%3Aa" in comment.body_html
    assert 'data-c="1D6FC"' in post.body_html  # α, drawn
    assert 'mjx-container[jax="SVG"]' in MathStylesheet.objects.get().css


def test_feeds_carry_mathml_not_mathjax_markup(client, author, category):
    make_post(author=author, category=category, body=BODY, status="published")
    for url in ("/feed/", "/feed/atom/"):
        feed = client.get(url).content.decode()
        assert "&lt;math alttext=" in feed
        assert "&lt;mjx-" not in feed
        assert "&lt;mi&gt;E&lt;/mi&gt;" in feed
