"""The stored search words, and the agreement of PostgreSQL's index with SQLite's tests on them."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from blog import demo, search
from blog.models import Post

QUERIES = [
    "e^{-x^2}",
    "x^2",
    "$a$",
    "a",
    "x",
    "梯度下降",
    "梯度 下降",
    "高斯积分",
    "积分",
    "softmax",
    "logsumexp",
    "学习率",
    "\\sqrt{\\pi}",
    "生成函数",
    "周期",
    "最速降线",
    "变分法 欧拉",
    "f(x)",
]


@pytest.fixture
def demo_posts(author):
    categories, _ = demo.ensure_taxonomy()
    return [
        Post.objects.create(
            title=entry.title,
            author=author,
            category=categories[entry.category],
            status=Post.Status.PUBLISHED,
            published_at=entry.published_at.replace(year=2020),
            body=entry.body,
        )
        for entry in demo.load_posts()
    ]


def matches_by_document(posts, query):
    """The posts a query matches, by the substring rules on the stored documents alone."""
    words = search.parse_query(query).words
    return {
        post
        for post in posts
        if words and all(f" {w} " in post.search_title + post.search_body for w in words)
    }


@pytest.mark.parametrize("query", QUERIES)
def test_the_database_matches_exactly_what_the_documents_say(demo_posts, query):
    """On PostgreSQL the GIN-indexed tsvector answers; on SQLite, LIKE: both must agree."""
    expected = matches_by_document(demo_posts, query)
    found = set(Post.objects.published().search(query))
    if expected:
        assert found == expected
    else:
        # No word matched: only the substring fallback (three characters or more) may answer.
        assert not found or len(search.normalize_query(query)) >= search.MIN_SUBSTRING_QUERY


def test_the_gaussian_integral_post_comes_first_for_its_formula(demo_posts):
    results = list(Post.objects.published().search("e^{-x^2}"))
    assert results[0].title == "高斯积分的三种算法"


def test_a_one_letter_query_does_not_match_the_demo_posts_formulas(demo_posts):
    assert len(Post.objects.published().search("a")) <= 1
    assert len(Post.objects.published().search("$a$")) >= 5


def test_formulas_are_stored_as_terms_and_prose_as_words():
    document = search.index_text("高斯积分 $\\int e^{-x^{2}}\\,dx$ 很美")
    row, pieces = document.split(f" {search.BREAK} ")
    assert row.split() == ["高斯", "积分", "$\\int", "$e^{-x^2}", "$d", "$x", "很美"]
    assert "$x^2" in pieces.split()
    assert "int" in pieces.split()


def test_code_keeps_its_names_but_not_its_one_letter_variables():
    words = search.index_text("```python\ndef fib_pair(n):\n    a, b = 0, 1\n```").split()
    assert {"fib", "pair", "def"} <= set(words)
    assert "a" not in words
    assert "b" not in words


def test_a_dollar_sign_in_code_is_not_math():
    words = search.index_text("`echo $HOME` 和 `$PATH` 变量").split()
    assert "home" in words
    assert "path" in words


def test_the_tsvector_has_the_documents_words_at_their_positions_and_weights():
    vector = search.tsvector(" 梯度 下降 | 梯 ", " 随机 梯度 ")
    # title: 梯度 1, 下降 2, break 3, 梯 4; gap 5; body: 随机 6, 梯度 7
    assert vector == "'梯度':1A,7B '下降':2A '梯':4A '随机':6B"


def test_the_tsvector_quotes_what_tsvector_syntax_would_read():
    assert search.tsvector(" it's \\frac ", "") == "'it''s':1A '\\\\frac':2A"


def test_the_tsvector_keeps_at_most_256_positions_of_a_word():
    vector = search.tsvector("", " " + "的 " * 300)
    assert vector.count(",") == 255


@pytest.mark.skipif(connection.vendor != "postgresql", reason="tsvector is PostgreSQL's")
def test_postgres_reads_the_tsvector_as_written(db):
    vector = search.tsvector(" it's $\\frac{1}{2} 梯度 ", " 下降 ")
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsvector::text", [vector])
        assert cursor.fetchone()[0] == "'$\\\\frac{1}{2}':2A 'it''s':1A '下降':5B '梯度':3A"


def test_the_migration_stores_every_posts_words_again(author, category):
    post = Post.objects.create(
        title="积分", author=author, category=category, body="$e^{-x^2}$", status="published"
    )
    Post.objects.filter(pk=post.pk).update(search_title="", search_body="", search_vector=None)
    migration = importlib.import_module("blog.migrations.0006_reindex_search_words")
    migration.reindex(apps, None)
    assert list(Post.objects.published().search("e^{-x^2}")) == [post]
