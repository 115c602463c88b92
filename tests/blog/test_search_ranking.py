"""What a query means: phrases first, formulas as terms, one letter as a word, blank as nothing.

The same tests run on SQLite and on PostgreSQL (CI runs both): the two engines must agree.
"""

import pytest

from blog.models import Post
from tests.factories import make_post

GAUSSIAN = (
    "高斯积分是 $\\int_{-\\infty}^{\\infty} e^{-x^2}\\,dx = \\sqrt{\\pi}$，被积函数没有初等原函数。"
)
# The post that ranked first for e^{-x^2} before formulas were terms: full of e, x and 2.
EXPONENTIAL = (
    "指数函数 $e^x$ 的导数是它自己；$x^2$ 的导数是 $2x$，$e^{2x}$ 的导数是 $2e^{2x}$。" * 3
)


def search(query):
    return list(Post.objects.published().search(query))


@pytest.fixture
def formulas(author, category):
    exponential = make_post(
        author=author, category=category, title="指数函数的导数", body=EXPONENTIAL
    )
    gaussian = make_post(author=author, category=category, title="积分的几种算法", body=GAUSSIAN)
    return gaussian, exponential


def test_a_formula_finds_the_post_that_holds_it(formulas):
    gaussian, _ = formulas
    assert search("e^{-x^2}") == [gaussian]


@pytest.mark.parametrize(
    "typed", ["e^{-x^{2}}", "e^{- x^2}", "$e^{-x^2}$", "\\(e^{-x^2}\\)", "E^{-X^2}"]
)
def test_a_formula_is_found_however_it_is_typed(formulas, typed):
    gaussian, _ = formulas
    assert search(typed) == [gaussian]


def test_a_piece_of_a_formula_finds_the_whole(formulas):
    gaussian, exponential = formulas
    assert set(search("x^2")) == {gaussian, exponential}
    assert search("\\sqrt{\\pi}") == [gaussian]


def test_a_formula_and_words_together(formulas):
    gaussian, _ = formulas
    assert search("初等原函数 e^{-x^2}") == [gaussian]
    assert search("导数 e^{-x^2}") == []


def test_a_phrase_in_the_title_then_anywhere_then_all_words_in_the_title(author, category):
    apart_in_body = make_post(
        author=author, category=category, title="杂记", body="梯度的方向与下降的速度"
    )
    apart_in_title = make_post(author=author, category=category, title="下降与梯度", body="正文")
    phrase_in_body = make_post(
        author=author, category=category, title="优化笔记", body="随机梯度下降的收敛"
    )
    phrase_in_title = make_post(
        author=author, category=category, title="梯度下降的几何意义", body="正文"
    )
    assert search("梯度下降") == [phrase_in_title, phrase_in_body, apart_in_title, apart_in_body]


def test_a_phrase_never_spans_the_end_of_the_title_and_the_start_of_the_body(author, category):
    across = make_post(author=author, category=category, title="关于梯度", body="下降很快")
    phrase = make_post(author=author, category=category, title="杂记", body="梯度下降很快")
    assert search("梯度下降") == [phrase, across]


def test_one_letter_matches_the_word_not_variables_in_formulas_or_code(author, category):
    in_formulas = make_post(
        author=author, category=category, title="常数", body="设 $a_n = a^2$，则 $\\frac{a}{b}$。"
    )
    in_code = make_post(
        author=author, category=category, title="代码", body="```python\na, b = b, a + b\n```"
    )
    as_a_word = make_post(
        author=author, category=category, title="Plan A 与 Plan B", body="两种方案。"
    )
    assert search("a") == [as_a_word]
    assert search("A") == [as_a_word]
    assert search("$a$") == [in_formulas]
    assert in_code not in search("a")


def test_one_letter_that_is_nowhere_a_word_finds_nothing_and_says_how_to_search_formulas(
    client, author, category
):
    make_post(author=author, category=category, title="数列", body="设 $x_n$ 收敛。")
    html = client.get("/search/x/").content.decode()
    assert "没有找到相关文章" in html
    assert '请搜索 <a href="/search/$x$/">$x$</a>' in html


def test_a_short_query_never_falls_back_to_substrings(author, category):
    make_post(author=author, category=category, title="abc 与 xyz", body="another banana")
    assert search("an") == []
    assert search("ban") != []


@pytest.mark.parametrize("url", ["/search/%20/", "/search/%20%20%20/", "/search/%E3%80%80/"])
def test_a_blank_query_in_the_url_shows_the_search_page(client, url, author, category):
    make_post(author=author, category=category)
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/search/", 302)]
    html = response.content.decode()
    assert "请输入要搜索的关键词" in html
    assert 'role="search"' in html


@pytest.mark.parametrize("query", ["  ", "\u3000", "\t\n"])
def test_a_blank_query_in_the_form_shows_the_search_page(client, db, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "请输入要搜索的关键词" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["e^{", "}}}", "\\", "$", "$$", "\\(\\)", "^_^", "{\\frac{", "x_i的期望", "'\\''", ":*&|!<->"],
)
def test_broken_formulas_and_query_syntax_get_a_page_not_an_error(client, formulas, query):
    response = client.get("/search/", {"q": query}, follow=True)
    assert response.status_code == 200


def test_words_with_quotes_and_backslashes_are_searched_as_typed(author, category):
    post = make_post(author=author, category=category, title="it's a \\test", body="正文")
    assert search("it's") == [post]
