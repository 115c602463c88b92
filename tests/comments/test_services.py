"""The comment services, called directly: each keeps counts, trees and cached pages in step."""

import pytest

from comments import services, subscriptions
from comments.models import Comment
from core import content_version
from tests.factories import make_comment, make_confirmed_subscription, make_post


def test_posting_stores_a_rendered_comment_and_counts_it_once_approved(post, settings):
    settings.COMMENTS_MODERATION = "approve_all"
    posted = services.post_comment(
        target=post,
        parent=None,
        author_name="张三",
        author_email="z@example.com",
        body="**粗体** 与 $x^2$",
        ip_address="198.51.100.7",
    )
    assert posted.created and posted.comment.status == Comment.Status.APPROVED
    assert "<strong>粗体</strong>" in posted.comment.body_html
    post.refresh_from_db()
    assert post.comment_count == 1


def test_posting_the_same_comment_twice_stores_it_once(post):
    fields = {
        "target": post,
        "parent": None,
        "author_name": "张三",
        "author_email": "z@example.com",
        "body": "同一句话",
    }
    first = services.post_comment(ip_address=None, **fields)
    second = services.post_comment(ip_address=None, **fields)
    assert not second.created and second.comment.pk == first.comment.pk
    assert Comment.objects.count() == 1


def test_posting_under_a_draft_is_refused(author, category):
    draft = make_post(author=author, category=category, status="draft")
    with pytest.raises(services.CommentRejected):
        services.post_comment(
            target=draft, parent=None, author_name="张三", author_email="z@x.org", body="x",
            ip_address=None,
        )  # fmt: skip


def test_moderate_sets_the_status_recounts_and_returns_how_many(post):
    comments = [make_comment(post, status="pending") for _ in range(3)]
    before = content_version.current()
    changed = services.moderate(
        comments=Comment.objects.filter(pk__in=[c.pk for c in comments[:2]]),
        status=Comment.Status.APPROVED,
    )
    assert changed == 2
    post.refresh_from_db()
    assert post.comment_count == 2
    assert content_version.current() != before


def test_delete_comments_takes_replies_along_and_keeps_the_tree_valid(post):
    root = make_comment(post)
    reply = make_comment(post, parent=root)
    make_comment(post, parent=reply)
    other = make_comment(post)
    deleted = services.delete_comments(comments=Comment.objects.filter(pk__in=[reply.pk, root.pk]))
    assert deleted == 3
    assert list(Comment.objects.values_list("pk", flat=True)) == [other.pk]
    post.refresh_from_db()
    assert post.comment_count == 1
    fields = ("pk", "lft", "rght", "level")  # a rebuild would also close the tree_id gap
    kept = list(Comment.objects.order_by("pk").values_list(*fields))
    Comment.objects.rebuild()
    assert list(Comment.objects.order_by("pk").values_list(*fields)) == kept


def test_a_reply_chosen_with_its_parent_is_deleted_once(post):
    root = make_comment(post)
    reply = make_comment(post, parent=root)
    assert services.delete_comments(comments=Comment.objects.filter(pk__in=[root.pk, reply.pk]))
    assert not Comment.objects.exists()


def test_comment_edited_recounts_after_a_status_change_made_elsewhere(post):
    comment = make_comment(post)
    comment.status = Comment.Status.SPAM
    comment.save()
    services.comment_edited(comment=comment)
    post.refresh_from_db()
    assert post.comment_count == 0


def test_unsubscribe_stops_every_notification_for_the_address(post):
    for _ in range(2):
        make_comment(post, author_email="Reader@Example.com", notify_on_reply=True)
    subscription = make_confirmed_subscription("Reader@Example.com")
    assert subscriptions.unsubscribe(subscription=subscription) == 2
    assert not Comment.objects.filter(notify_on_reply=True).exists()
    subscription.refresh_from_db()
    assert not subscription.is_confirmed
