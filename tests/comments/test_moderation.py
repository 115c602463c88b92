"""Moderation in Django admin: filters, bulk actions, edits that re-render."""

import pytest
from django.core import mail

from comments.models import Comment
from tests.factories import make_comment, make_confirmed_subscription


@pytest.fixture
def admin_client(client, author):
    client.force_login(author)
    return client


def test_changelist_shows_name_email_ip_and_excerpt_with_filters(admin_client, post):
    make_comment(
        post,
        author_name="张三",
        author_email="z@example.com",
        ip_address="198.51.100.7",
        body="一条需要审核的评论",
    )
    html = admin_client.get("/admin/comments/comment/").content.decode()
    for text in ("张三", "z@example.com", "198.51.100.7", "一条需要审核的评论"):
        assert text in html
    assert admin_client.get("/admin/comments/comment/?status__exact=pending").status_code == 200
    assert (
        admin_client.get(f"/admin/comments/comment/?post__id__exact={post.pk}").status_code == 200
    )


@pytest.mark.parametrize(
    "action, status", [("approve", "approved"), ("mark_spam", "spam"), ("remove", "removed")]
)
def test_bulk_actions_set_status_and_recount(admin_client, post, action, status):
    comments = [make_comment(post, status="pending") for _ in range(3)]
    response = admin_client.post(
        "/admin/comments/comment/",
        {"action": action, "_selected_action": [c.pk for c in comments]},
    )
    assert response.status_code == 302
    assert set(Comment.objects.values_list("status", flat=True)) == {status}
    post.refresh_from_db()
    assert post.comment_count == (3 if status == "approved" else 0)


def test_editing_a_comment_rerenders_its_html(admin_client, post):
    comment = make_comment(post, body="旧内容")
    response = admin_client.post(
        f"/admin/comments/comment/{comment.pk}/change/",
        {
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": "",
            "body": "**新内容** $a_1$",
            "status": "approved",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    comment.refresh_from_db()
    assert "<strong>新内容</strong>" in comment.body_html


def test_deleting_in_admin_keeps_the_tree_valid_and_counts_right(admin_client, post):
    root = make_comment(post)
    child = make_comment(post, parent=root)
    make_comment(post, parent=child)
    other = make_comment(post)
    response = admin_client.post(
        "/admin/comments/comment/",
        {"action": "delete_selected", "_selected_action": [child.pk, root.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(Comment.objects.all()) == [other]
    post.refresh_from_db()
    assert post.comment_count == 1


def test_approving_a_pending_reply_notifies_the_parent_author(
    admin_client, post, django_capture_on_commit_callbacks
):
    parent = make_comment(post, author_email="asker@example.com", notify_on_reply=True)
    make_confirmed_subscription("asker@example.com")
    reply = make_comment(post, parent=parent, status="pending")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/comments/comment/", {"action": "approve", "_selected_action": [reply.pk]}
        )
    assert [m.to for m in mail.outbox] == [["asker@example.com"]]
