"""Search results show what matched: words marked in titles and excerpts, formulas flagged."""

import re

import pytest

from blog import search
from tests.factories import make_post


def results(client, query):
    html = client.get(f"/search/{query}/").content.decode()
    main = html[html.index('class="listing-title"') : html.index('class="widget')]
    return main


def test_matched_words_are_marked_in_titles_and_excerpts(client, author, category):
    make_post(
        author=author,
        category=category,
        title="梯度下降的几何意义",
        body="随机梯度下降在深度学习中很常见。\n\n<!--more-->\n\n正文。",
    )
    html = results(client, "梯度下降")
    assert "<mark>梯度下降</mark>的几何意义</a>" in html
    assert "随机<mark>梯度下降</mark>在深度学习中" in html


def test_words_of_the_query_are_marked_wherever_they_stand(client, author, category):
    make_post(author=author, category=category, title="下降与梯度", body="梯度的方向。")
    html = results(client, "梯度 下降")
    assert "<mark>下降</mark>与<mark>梯度</mark>" in html


def test_a_latin_word_is_marked_only_where_it_stands_whole(client, author, category):
    make_post(author=author, category=category, title="Plan A and banana", body="正文")
    html = results(client, "a")
    assert "Plan <mark>A</mark> and banana" in html


def test_everything_else_in_the_title_is_escaped(client, author, category):
    make_post(author=author, category=category, title="<i>斜体</i> & 粗体", body="正文")
    html = results(client, "斜体")
    assert "&lt;i&gt;<mark>斜体</mark>&lt;/i&gt; &amp; 粗体" in html
    assert "<i>" not in html


@pytest.mark.parametrize(
    "query",
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<mark>", "&lt;b&gt;"],
)
def test_a_query_cannot_put_markup_in_the_page(client, author, category, query):
    # The title is the reader-facing text a query matches; the body is the author's own HTML.
    make_post(author=author, category=category, title=f"标题里有 {query} 字样", body="正文")
    response = client.get("/search/", {"q": query}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    main = html[html.index('class="listing-title"') : html.index('class="widget')]
    assert main.count("<mark>") == main.count("</mark>") >= 1


def test_marks_never_go_inside_tags_attributes_or_formulas(client, author, category):
    make_post(
        author=author,
        category=category,
        title="杂记",
        body="[梯度](https://example.org/梯度) 与 $\\text{梯度} + x$ 的梯度。",
    )
    html = results(client, "梯度")
    assert 'href="https://example.org/梯度"' in html
    assert "<mark>梯度</mark></a>" in html
    assert "\\text{梯度}" in html
    assert "的<mark>梯度</mark>。" in html


def test_a_matched_formula_is_flagged_and_left_whole(client, author, category):
    make_post(
        author=author,
        category=category,
        title="高斯积分",
        body="积分 $\\int e^{-x^2}\\,dx$ 与 $x^3$ 不同。",
    )
    html = results(client, "e^{-x^2}")
    # Typeset on the server: the wrapper is flagged, the formula inside untouched.
    assert re.search(
        r'<span class="arithmatex search-hit"><mjx-container [^>]*>.*?'
        r'<g data-mml-node="math" data-latex="\\int e\^\{-x\^2\}\\,dx"',
        html,
    )
    assert re.search(
        r'<span class="arithmatex"><mjx-container [^>]*>(?:(?!</mjx-container>).)*'
        r'<g data-mml-node="math" data-latex="x\^3"',
        html,
    )
    assert "<mark>" not in html[html.index("search-hit") : html.index("不同")]


def test_other_listings_mark_nothing(client, author, category):
    make_post(author=author, category=category, title="梯度下降")
    client.get("/search/梯度/")
    assert "<mark>" not in client.get("/").content.decode()
    assert "<mark>" not in client.get(f"/category/{category.slug}/").content.decode()


def test_a_cached_search_page_is_served_without_marking_again(
    client, author, category, monkeypatch
):
    make_post(author=author, category=category, title="梯度下降")
    first = client.get("/search/梯度/").content.decode()
    calls = []
    monkeypatch.setattr(search.Highlighter, "title", lambda *args: calls.append(args) or "")
    second = client.get("/search/梯度/").content.decode()
    assert calls == []
    assert second == first


def test_highlighter_merges_touching_words_and_keeps_entities():
    highlighter = search.Highlighter("梯度 下降")
    assert highlighter.title("梯度下降") == "<mark>梯度下降</mark>"
    assert highlighter.excerpt("<p>A &amp; B 的梯度</p>") == "<p>A &amp; B 的<mark>梯度</mark></p>"
