"""Markdown rendering of posts: math reaches MathJax untouched, the rest becomes clean HTML."""

import pytest

from blog.rendering import render_markdown, split_excerpt


def test_inline_dollar_math_keeps_underscores_and_asterisks():
    html = render_markdown("设 $a_1 * b_2 * c_3$ 为常数。")
    assert r'<span class="arithmatex">\(a_1 * b_2 * c_3\)</span>' in html
    assert "<em>" not in html


def test_round_bracket_inline_math_is_kept():
    html = render_markdown(r"其中 \(x_i^2\) 是平方。")
    assert r"\(x_i^2\)" in html


@pytest.mark.parametrize(
    "source, expected",
    [
        ("$$\na_b * c_d\n$$", r"\[" + "\na_b * c_d\n" + r"\]"),
        (r"\[ y_1 * y_2 \]", r"\[ y_1 * y_2 \]"),
    ],
)
def test_display_math_blocks_are_kept(source, expected):
    html = render_markdown(source)
    assert '<div class="arithmatex">' in html
    assert expected in html


def test_equation_environment_inside_a_paragraph_is_protected_from_emphasis():
    source = (
        "我们有\n"
        r"\begin{equation}f(x) = a*b*c + x_1 \\ y_2 \label{eq:f}\end{equation}"
        "\n"
        r"由式$\eqref{eq:f}$可知。"
    )
    html = render_markdown(source)
    assert r"\begin{equation}f(x) = a*b*c + x_1 \\ y_2 \label{eq:f}\end{equation}" in html
    assert r"\(\eqref{eq:f}\)" in html
    assert "<em>" not in html


@pytest.mark.parametrize("environment", ["equation", "align", "gather", "equation*"])
def test_ams_environments_as_blocks_are_kept(environment):
    source = f"\\begin{{{environment}}}\na_1 &= b_1 \\\\\nc_2 &= d_2\n\\end{{{environment}}}"
    html = render_markdown(source)
    assert f"\\begin{{{environment}}}" in html
    assert r"a_1 &amp;= b_1 \\" in html


def test_python_code_is_highlighted_with_pygments():
    html = render_markdown("```python\ndef f(x):\n    return x ** 2\n```")
    assert '<div class="highlight">' in html
    assert '<span class="k">def</span>' in html


def test_tables_render():
    html = render_markdown("| 方法 | 误差 |\n|---|---|\n| SGD | 0.1 |")
    assert "<table>" in html
    assert "<td>SGD</td>" in html


def test_footnotes_render():
    html = render_markdown("正文[^1]。\n\n[^1]: 脚注内容。")
    assert 'class="footnote-ref"' in html
    assert "脚注内容。" in html


def test_headings_get_anchors_even_in_chinese():
    html = render_markdown("## 一、问题的提出")
    assert '<h2 id="一问题的提出">' in html
    assert 'class="headerlink" href="#一问题的提出"' in html


def test_image_alt_text_becomes_a_caption_under_the_picture():
    html = render_markdown("![正弦曲线](/static/img/sine.svg)")
    assert "<figure>" in html
    assert "<figcaption>正弦曲线</figcaption>" in html
    assert html.index("<img") < html.index("<figcaption>")


def test_excerpt_is_the_text_before_the_more_marker():
    source = "第一段。\n\n第二段。\n\n<!--more-->\n\n第三段。"
    assert split_excerpt(source) == "第一段。\n\n第二段。"


def test_excerpt_without_marker_is_the_first_paragraph():
    assert split_excerpt("## 标题\n\n第一段\n接着。\n\n第二段。") == "第一段\n接着。"


@pytest.mark.parametrize(
    "source",
    [
        r"记 $A = \begin{pmatrix}1 & 1\\ 1 & 0\end{pmatrix}$ 为转移矩阵。",
        r"记 \(f(x) = \begin{cases}x_1 & x>0\\ 0 & x\le 0\end{cases}\) 为分段函数。",
    ],
)
def test_environment_inside_inline_math_stays_in_that_formula(source):
    html = render_markdown(source)
    assert html.count('<span class="arithmatex">') == 1
    assert "$" not in html
    assert r"\\ " in html


def test_inline_display_math_does_not_swallow_neighbouring_inline_math():
    html = render_markdown(r"设 $a_1$，则 $$a_1 * b_2$$ 且 $c_3$。")
    assert html.count('<span class="arithmatex">') == 3
