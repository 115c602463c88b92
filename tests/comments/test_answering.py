"""Answering comments: from the admin as the author, on the site without name and email, and
the comment list an author works through."""

import pytest

from comments.models import Comment
from tests.factories import make_comment


@pytest.fixture
def admin_client(client, author):
    client.force_login(author)
    return client


def test_reply_from_the_admin_posts_as_the_author_with_the_badge(admin_client, post, author):
    question = make_comment(post, body="请问 (3) 式怎么来的？")
    response = admin_client.post(
        f"/admin/comments/comment/{question.pk}/reply/", {"body": "由 $x^2$ 展开即得。"}
    )
    assert response.status_code == 302
    reply = Comment.objects.get(parent=question)
    assert reply.is_post_author and reply.user == author
    assert reply.status == Comment.Status.APPROVED
    assert '<span class="arithmatex">' in reply.body_html
    page = admin_client.get(post.get_absolute_url()).content.decode()
    assert "由 " in page and '<span class="badge">博主</span>' in page


def test_replying_to_a_held_comment_approves_it(admin_client, post):
    held = make_comment(post, status="pending")
    admin_client.post(f"/admin/comments/comment/{held.pk}/reply/", {"body": "欢迎！"})
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    assert Comment.objects.filter(parent=held).count() == 1


def test_an_empty_reply_is_refused_with_the_text_kept(admin_client, post):
    question = make_comment(post)
    response = admin_client.post(f"/admin/comments/comment/{question.pk}/reply/", {"body": "   "})
    assert response.status_code == 400
    assert "回复内容不能为空" in response.content.decode()
    assert not Comment.objects.filter(parent=question).exists()


def test_reply_needs_post_and_a_login(client, admin_client, post):
    question = make_comment(post)
    assert admin_client.get(f"/admin/comments/comment/{question.pk}/reply/").status_code == 405
    client.logout()
    response = client.post(f"/admin/comments/comment/{question.pk}/reply/", {"body": "x"})
    assert response.status_code == 302 and not Comment.objects.filter(parent=question).exists()


def test_a_logged_in_author_comments_on_the_site_without_name_or_email(
    admin_client, post, author, form_data
):
    page = admin_client.get(post.get_absolute_url()).content.decode()
    assert "以 <strong>林一</strong> 的身份发表" in page
    assert 'name="author_email"' not in page
    data = form_data(author_name="", author_email="", body="作者在站内回复")
    response = admin_client.post(f"/archives/{post.pk}/comment", data)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author_name, comment.is_post_author) == ("林一", True)
    assert comment.author_email == author.email


@pytest.mark.parametrize(
    ("policy", "body", "reason"),
    [
        ("auto", "第一次评论", Comment.HeldReason.FIRST_TIME),
        (
            "approve_all",
            "[a](https://a.org) [b](https://b.org) [c](https://c.org) [d](https://d.org)",
            Comment.HeldReason.LINKS,
        ),
        ("hold_all", "规则要求人工审核", Comment.HeldReason.RULE),
    ],
)
def test_why_a_comment_was_held_is_stored(client, post, form_data, settings, policy, body, reason):
    settings.COMMENTS_MODERATION = policy
    client.post(f"/archives/{post.pk}/comment", form_data(body=body))
    comment = Comment.objects.get()
    assert (comment.status, comment.held_reason) == (Comment.Status.PENDING, reason)


def test_readable_text_never_ends_inside_a_formula(post):
    comment = make_comment(
        post, body="前言" * 10 + "$\\sum_{k=1}^{n} k^2 = \\frac{n(n+1)(2n+1)}{6}$ 结尾"
    )
    text = comment.readable_text(30)
    assert text == "前言" * 10 + "…"
    assert make_comment(post, body="短 $x$").readable_text(30) == "短 $x$"


def test_comment_list_shows_text_post_parent_and_reason_and_filters(admin_client, post):
    parent = make_comment(post, author_name="甲", body="原评论")
    make_comment(post, parent=parent, status="pending", held_reason="first_time", body="回复 $x$")
    html = admin_client.get("/admin/comments/comment/?status__exact=pending").content.decode()
    # The comment's stored snippet shows math as readable text.
    assert "回复 x" in html and "@甲" in html and "首次评论" in html and post.title in html
    assert admin_client.get("/admin/comments/comment/?held_reason__exact=links").status_code == 200


def test_waiting_comments_show_on_the_admin_index_and_header(admin_client, post):
    make_comment(post, status="pending")
    make_comment(post, status="pending")
    index = admin_client.get("/admin/").content.decode()
    assert "2 条评论等待审核" in index and "待审核评论 2 条" in index
    other = admin_client.get("/admin/blog/post/").content.decode()
    assert "待审核评论 2 条" in other
