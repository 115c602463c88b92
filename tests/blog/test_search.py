"""Search splits Chinese queries into words, ranks title hits first, and survives any input.

The same tests run on SQLite and on PostgreSQL (CI runs both): the two engines must agree.
"""

import pytest
from django.db import connection

from blog.models import Post
from tests.factories import make_post


@pytest.fixture
def articles(author, category):
    body_hit = make_post(
        author=author,
        category=category,
        title="优化器的若干笔记",
        body="本文讨论随机梯度下降在深度学习中的表现。",
    )
    title_hit = make_post(
        author=author,
        category=category,
        title="梯度下降的几何意义",
        body="从几何角度看一阶方法。",
    )
    unrelated = make_post(
        author=author, category=category, title="椭圆片的粘合", body="一个立体几何问题。"
    )
    return body_hit, title_hit, unrelated


def test_chinese_query_is_split_into_words_and_matches_title_and_body(db, articles):
    body_hit, title_hit, _unrelated = articles
    results = list(Post.objects.published().search("梯度下降"))
    assert set(results) == {body_hit, title_hit}


def test_title_hits_rank_above_body_hits(db, articles):
    body_hit, title_hit, _ = articles
    assert list(Post.objects.published().search("梯度下降")) == [title_hit, body_hit]


def test_words_in_any_order_match(db, articles):
    _, title_hit, _ = articles
    assert title_hit in Post.objects.published().search("几何 梯度")


def test_substring_match_is_the_fallback(db, author, category):
    post = make_post(author=author, category=category, title="关于XLNet模型", body="内容")
    assert list(Post.objects.published().search("LNe")) == [post]


def test_search_page_shows_results_for_a_query(client, articles):
    html = client.get("/search/梯度下降/").content.decode()
    assert "“梯度下降”的搜索结果" in html
    assert "<mark>梯度下降</mark>的几何意义" in html
    assert "椭圆片的粘合" not in html


def test_query_string_form_redirects_to_the_keywords_url(client, articles):
    response = client.get("/search/", {"q": "  梯度   下降 "})
    assert response.status_code == 302
    assert response["Location"] == "/search/%E6%A2%AF%E5%BA%A6%20%E4%B8%8B%E9%99%8D/"


@pytest.mark.parametrize("query", ["", "   ", "x" * 10_000, "梯" * 10_000])
def test_odd_queries_get_a_page_not_an_error(client, articles, query):
    response = client.get("/search/", {"q": query}, follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["\x00", "a\x00b"])
def test_a_nul_byte_in_a_query_is_refused_before_any_search(client, articles, query):
    # core/guards.py answers every route's NUL bytes alike (PostgreSQL cannot hold them).
    assert client.get("/search/", {"q": query}).status_code == 400


def test_long_keywords_in_the_url_are_trimmed(client, articles):
    response = client.get("/search/" + "梯" * 10_000 + "/", follow=True)
    assert response.status_code == 200


def test_search_with_no_results_says_so(client, articles):
    html = client.get("/search/量子引力/").content.decode()
    assert "没有找到相关文章" in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN index exists only on Postgres")
def test_postgres_search_uses_the_gin_index_not_a_scan_of_every_post(db, author, category):
    make_post(author=author, category=category, title="梯度下降")
    filler = [
        Post(
            title=f"其他{i}",
            author=author,
            category=category,
            status=Post.Status.PUBLISHED,
            body="无关的内容",
            search_title=" 其他 ",
            search_body=" 无关 内容 ",
        )
        for i in range(5000)
    ]
    Post.objects.bulk_create(filler)
    Post.objects.all().refresh_search_vectors()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE blog_post")
        # Every filler row is published, so a scan is never the cheaper plan; forbid it
        # anyway so the planner's estimate noise cannot make the test flaky.
        cursor.execute("SET enable_seqscan = off")
        plan = Post.objects.published().search("梯度").explain()
        cursor.execute("RESET enable_seqscan")
    assert "Bitmap Index Scan on blog_post_search_vector_gin" in plan, plan
