"""The editor's preview: the post page's rendering, each block tagged with its source line."""

import re
from pathlib import Path

import pytest

from blog import editor
from blog.rendering import render_markdown
from blog.sourcelines import block_start_lines

DEMO = sorted((Path(__file__).resolve().parents[2] / "blog" / "demo").glob("*.md"))

SAMPLE = """## 小节

第一段 $a_1*b_2$。[^n]

```python
x = 1

y = 2
```

\\begin{equation}
E = mc^2 \\label{eq:1}
\\end{equation}

\\begin{align}
a &= b \\\\

c &= d
\\end{align}

- 一
- 二

- 三

| a | b |
|---|---|
| 1 | 2 |

由 \\eqref{eq:1} 可知。

[^n]: 脚注。
"""


def without_lines(html):
    return re.sub(r' data-source-line="\d+"', "", html)


@pytest.mark.parametrize("path", DEMO, ids=lambda p: p.name)
def test_tagging_blocks_with_source_lines_changes_nothing_else(path):
    source = path.read_text()
    assert without_lines(render_markdown(source, source_lines=True)) == render_markdown(source)


def test_sample_renders_the_same_with_and_without_line_tags():
    assert without_lines(render_markdown(SAMPLE, source_lines=True)) == render_markdown(SAMPLE)


def test_each_top_level_block_carries_the_line_it_starts_at():
    html = render_markdown(SAMPLE, source_lines=True)
    assert '<h2 data-source-line="1"' in html
    assert '<p data-source-line="3">' in html
    assert '<div data-source-line="5" class="highlight">' in html
    assert 'data-source-line="11" class="arithmatex"' in html
    assert '<ul data-source-line="21">' in html  # one loose list, not two
    assert html.count("<ul") == 1
    assert '<table data-source-line="26">' in html
    assert '<p data-source-line="30">' in html


def test_blank_lines_inside_code_and_formulas_do_not_start_blocks():
    starts = block_start_lines(SAMPLE)
    assert 9 not in starts  # "y = 2" inside the fence
    assert 17 not in starts  # the line after the blank inside the align environment


def test_the_block_at_the_cursor_is_rendered_alone_with_its_line_span():
    answer = editor.render_block(SAMPLE, 7)
    assert answer["from_line"] == 5 and answer["to_line"] == 11
    assert answer["html"].startswith('<div data-source-line="5" class="highlight">')
    assert "x" in answer["html"] and "arithmatex" not in answer["html"]


def test_a_block_using_a_reference_link_defined_elsewhere_still_links():
    source = "见 [文献][ref]。\n\n正文。\n\n[ref]: https://example.org/paper\n"
    assert 'href="https://example.org/paper"' in editor.render_block(source, 1)["html"]


def test_whole_body_answer_counts_formulas():
    answer = editor.render_body(SAMPLE)
    assert answer["formulas"] == 2
    assert 'class="footnote"' in answer["html"]
