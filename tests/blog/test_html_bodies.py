"""HTML bodies: rendered at save like Markdown, math marked the same way, hostile markup gone."""

import pytest

from blog.html_bodies import render_html, text_of
from blog.models import Post
from blog.rendering import render_markdown
from tests.factories import make_post

MATH = [
    ("$x_1 + y^2$", r'<span class="arithmatex">\(x_1 + y^2\)</span>'),
    (r"\(a_1\)", r'<span class="arithmatex">\(a_1\)</span>'),
    ("前 $$a_b$$ 后", r'<span class="arithmatex">\[a_b\]</span>'),
    (r"前 \[a*b*c\] 后", r'<span class="arithmatex">\[a*b*c\]</span>'),
    ("$$a_b$$", r'<div class="arithmatex">\[a_b\]</div>'),
    (
        r"\begin{align}a &= b\end{align} 后",
        r'<span class="arithmatex">\begin{align}a &amp;= b\end{align}</span>',
    ),
]


@pytest.mark.parametrize(("source", "marked"), MATH)
def test_math_in_html_is_marked_as_in_markdown(source, marked):
    assert marked in render_html(f"<p>{source}</p>").body_html
    assert marked in render_markdown(source)


def test_code_and_escaped_dollars_are_not_math():
    html = render_html(r"<pre>$x$</pre><p><code>$y$</code> 价格 \$5 与 \$6</p>").body_html
    assert "arithmatex" not in html and "价格 $5 与 $6" in html


def test_a_line_break_inside_a_formula_is_part_of_its_tex():
    html = render_html("<p>\\begin{equation}a\\\\<br />\nb\\end{equation}</p>").body_html
    assert "<br" not in html and "\\begin{equation}a\\\\\nb\\end{equation}" in html


@pytest.mark.parametrize(
    "hostile",
    [
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "<script>alert(1)</script>",
        '<iframe src="https://evil.example/"></iframe>',
        '<p style="position:fixed">x</p>',
        '<form action="https://evil.example"><input name="p"></form>',
        "<svg><script>alert(1)</script></svg>",
        '<object data="x.swf"></object>',
        "<style>body{display:none}</style>",
    ],
)
def test_hostile_markup_in_an_imported_body_is_removed(hostile):
    html = render_html(f"<p>正文</p>{hostile}").body_html
    for bad in (
        "onerror",
        "javascript:",
        "<script",
        "<iframe",
        "style=",
        "<form",
        "<input",
        "<object",
        "<style",
        "alert(1)",
    ):
        assert bad not in html


def test_a_frame_of_this_site_stays():
    html = render_html('<iframe src="/latex.html"></iframe>').body_html
    assert '<iframe src="/latex.html">' in html


def test_a_paragraph_with_only_a_web_address_becomes_a_link():
    html = render_html("看这个视频：\n\nhttps://video.example.com/watch?v=1\n\n完").body_html
    assert '<a href="https://video.example.com/watch?v=1">' in html


def test_wordpress_escapes_a_shortcode_with_double_brackets():
    assert "[caption]" in render_html("<p>写作 [[caption]] 即可。</p>").body_html


@pytest.mark.django_db
def test_an_html_post_edited_later_stays_html_and_renders_on_save(author, category):
    post = make_post(author=author, category=category, body="<p>旧的 $a$</p>", body_format="html")
    post.body = "<p>新的 $b$</p>\n<!--more-->\n<p>其余</p>"
    post.save()
    post.refresh_from_db()
    assert post.body_format == Post.Format.HTML
    assert '<g data-mml-node="math" data-latex="b"' in post.body_html  # typeset on the server
    assert "其余" not in post.excerpt_html and "其余" in post.body_html


@pytest.mark.django_db
def test_the_admin_shows_and_previews_the_body_format(admin_client, author, category):
    post = make_post(author=author, category=category, body="<p>$c$</p>", body_format="html")
    page = admin_client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    assert 'name="body_format"' in page and 'value="html" selected' in page
    preview = admin_client.post(
        "/admin/blog/post/preview/", {"body": "[latex]x^2[/latex]", "body_format": "html"}
    )
    assert r'<span class="arithmatex">\(x^2\)</span>' in preview.content.decode()


def test_search_reads_the_words_not_the_tags():
    assert text_of("<p>梯度<b>下降</b></p><script>var x</script>") == "梯度下降"
