"""The 最近评论 sidebar: newest approved comments, updated as soon as moderation changes."""

from comments import services
from comments.models import Comment
from tests.factories import make_comment, make_post


def sidebar(client):
    html = client.get("/").content.decode()
    start = html.index('class="recent-comments"')
    return html[start : html.index("</ul>", start)]


def test_empty_state_before_any_comment(client, post):
    assert "还没有评论" in sidebar(client)


def test_shows_the_latest_ten_approved_comments_with_name_and_snippet(client, post):
    for i in range(12):
        make_comment(post, author_name=f"读者{i:02d}", body=f"评论{i:02d} " + "长" * 60)
    html = sidebar(client)
    assert html.count("<li>") == 10
    assert "读者11</span>: 评论11" in html
    assert "读者01" not in html
    snippet = html.split("读者11</span>: ")[1].split("</a>")[0]
    assert len(snippet) <= 40


def test_links_to_the_comment_on_its_post(client, post):
    comment = make_comment(post)
    assert f'href="/archives/{post.pk}#comment-{comment.pk}"' in sidebar(client)


def test_changes_as_soon_as_a_comment_is_approved_removed_or_marked_spam(client, post):
    comment = make_comment(post, status="pending", body="等待审核的评论")
    assert "等待审核的评论" not in sidebar(client)
    services.moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.APPROVED
    )
    assert "等待审核的评论" in sidebar(client)
    services.moderate(comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.SPAM)
    assert "等待审核的评论" not in sidebar(client)
    services.moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.APPROVED
    )
    services.moderate(comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.REMOVED)
    assert "等待审核的评论" not in sidebar(client)


def test_comments_on_drafts_are_not_listed(client, post, author):
    draft = make_post(author=author, status="draft")
    make_comment(draft, body="草稿下的评论")
    assert "草稿下的评论" not in sidebar(client)


def test_math_and_markup_become_plain_text(client, post):
    make_comment(post, body="**粗体** 和 $x_1$")
    html = sidebar(client)
    assert "<strong>" not in html.split("</ul>")[0]
    assert "粗体 和" in html
