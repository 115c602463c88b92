"""The comment thread on a post page: nesting, depth cap, pagination, counts, query budget."""

import re

from django.test import Client

from comments.models import Comment
from tests.factories import make_comment


def page_html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def thread_html(client, url):
    """Only the comment thread of a post page (not the sidebar's recent comments)."""
    html = page_html(client, url)
    return html[html.index('id="comments"') : html.index('id="respond"')]


def test_replies_nest_under_their_parent_oldest_first(client, post):
    first = make_comment(post, author_name="甲", body="第一个")
    second = make_comment(post, author_name="乙", body="第二个")
    reply = make_comment(post, parent=first, author_name="丙", body="回复甲")
    html = page_html(client, post.get_absolute_url())
    assert html.index(f'id="comment-{first.pk}"') < html.index(f'id="comment-{reply.pk}"')
    assert html.index(f'id="comment-{reply.pk}"') < html.index(f'id="comment-{second.pk}"')
    first_block = html[
        html.index(f'id="comment-{first.pk}"') : html.index(f'id="comment-{second.pk}"')
    ]
    assert '<ol class="children">' in first_block


def test_each_comment_shows_avatar_linked_name_time_body_and_reply_link(client, post):
    comment = make_comment(
        post, author_name="张三", author_url="https://zhangsan.example.com", body="**好文**"
    )
    html = page_html(client, post.get_absolute_url())
    assert 'class="avatar" src="https://www.gravatar.com/avatar/' in html
    assert "d=identicon" in html
    assert f"https://www.gravatar.com/avatar/{comment.email_hash}?" in html
    assert 'class="comment-list" data-identicon="/comments/avatar/DIGEST.svg"' in html
    assert '<a href="https://zhangsan.example.com" rel="nofollow ugc noopener"' in html
    assert "<strong>好文</strong>" in html
    assert f'href="?replyTo={comment.pk}#respond"' in html
    assert "zhangsan@example.com" not in html
    assert comment.email_hash not in comment.author_email


def test_identicon_is_served_without_the_network(client, post):
    comment = make_comment(post)
    response = client.get(f"/comments/avatar/{comment.email_hash}.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert client.get("/comments/avatar/not-a-hash.svg").status_code == 404


def test_replies_deeper_than_the_limit_hang_at_the_deepest_level_and_say_whom(
    client, post, settings
):
    settings.COMMENTS_MAX_DEPTH = 3
    chain = [make_comment(post, author_name="层0")]
    for depth in range(1, 5):
        chain.append(make_comment(post, parent=chain[-1], author_name=f"层{depth}"))
    html = page_html(client, post.get_absolute_url())
    assert html.count('<ol class="children">') == 2
    assert '<span class="reply-to">@层2</span>' in html
    assert '<span class="reply-to">@层3</span>' in html
    assert '<span class="reply-to">@层1</span>' not in html


def test_threads_are_paginated_and_a_comment_link_finds_its_page(client, post, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    roots = [make_comment(post, body=f"楼{i}") for i in range(5)]
    reply = make_comment(post, parent=roots[4], body="最后一楼的回复")
    first = thread_html(client, post.get_absolute_url())
    third = thread_html(client, f"/archives/{post.pk}/comment-page-3")
    assert "楼0" in first and "楼2" not in first
    assert "最后一楼的回复" in third
    assert f'href="/archives/{post.pk}/comment-page-3#comments"' in first
    assert reply.get_absolute_url() == f"/archives/{post.pk}/comment-page-3#comment-{reply.pk}"
    assert roots[0].get_absolute_url() == f"/archives/{post.pk}#comment-{roots[0].pk}"
    permalink = client.get(f"/comments/{reply.pk}/")
    assert permalink["Location"] == reply.get_absolute_url()


def test_comment_page_one_redirects_and_out_of_range_pages_are_404(client, post):
    make_comment(post)
    assert client.get(f"/archives/{post.pk}/comment-page-1")["Location"] == f"/archives/{post.pk}"
    assert client.get(f"/archives/{post.pk}/comment-page-2").status_code == 404
    assert client.get(f"/archives/{post.pk}/comment-page-0").status_code == 404
    assert client.get(f"/archives/{post.pk}/comment-page-x").status_code == 404


def test_reply_to_link_without_javascript_puts_the_form_in_reply_mode(client, post):
    parent = make_comment(post, author_name="李四")
    html = page_html(client, f"{post.get_absolute_url()}?replyTo={parent.pk}")
    assert f'name="parent" value="{parent.pk}"' in html
    assert re.search(
        r'<p class="replying">回复 <strong class="replying-name" lang="zh-CN">@李四</strong>', html
    )
    assert "取消回复" in html


def test_reply_to_a_hidden_comment_is_ignored(client, post):
    hidden = make_comment(post, status="spam")
    html = page_html(client, f"{post.get_absolute_url()}?replyTo={hidden.pk}")
    assert f'name="parent" value="{hidden.pk}"' not in html


def test_unapproved_comments_are_hidden_and_removed_parents_leave_a_placeholder(client, post):
    parent = make_comment(post, body="将被删除的评论")
    reply = make_comment(post, parent=parent, body="依然可见的回复")
    make_comment(post, status="pending", body="待审核的内容")
    make_comment(post, status="spam", body="垃圾内容")
    parent.status = Comment.Status.REMOVED
    parent.save()
    html = thread_html(Client(), post.get_absolute_url())
    assert "将被删除的评论" not in html
    assert "这条评论已被删除" in html
    assert "依然可见的回复" in html
    assert "待审核的内容" not in html
    assert "垃圾内容" not in html
    assert f'id="comment-{reply.pk}"' in html


def test_post_meta_and_listings_show_the_number_of_approved_comments(
    client, post, form_data, settings
):
    settings.COMMENTS_MODERATION = "approve_all"
    client.post(f"/archives/{post.pk}/comment", form_data(body="一"))
    client.post(f"/archives/{post.pk}/comment", form_data(body="二"))
    make_comment(post, status="pending")
    from comments.services import refresh_comment_counts

    refresh_comment_counts({post.pk})
    post.refresh_from_db()
    assert post.comment_count == 2
    for url in ["/", post.get_absolute_url(), f"/category/{post.category.slug}/", "/content.html"]:
        html = page_html(client, url)
        assert "2条评论" in html or "(2)" in html, url


def count_queries(django_assert_max_num_queries, client, url):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    caches["pages"].clear()  # measure a full render, not a cache hit
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_thread_costs_the_same_queries_whatever_its_size(client, post, author, category):
    from tests.factories import make_post

    small = make_post(author=author, category=category)
    make_comment(small)
    big = post
    for _ in range(5):
        root = make_comment(big)
        node = root
        for _ in range(8):
            node = make_comment(big, parent=node)
            make_comment(big, parent=root)
    small_queries = count_queries(None, Client(), small.get_absolute_url())
    big_queries = count_queries(None, Client(), big.get_absolute_url())
    assert big_queries == small_queries
