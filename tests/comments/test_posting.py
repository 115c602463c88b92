"""Posting a comment through the form: success, moderation, and every kind of bad input."""

import pytest
from django.urls import reverse

from blog.models import Post
from comments.models import Comment
from tests.comments.conftest import aged_timestamp
from tests.factories import make_comment, make_post


def comment_url(post):
    return reverse("comments:post", kwargs={"pk": post.pk})


def test_a_comment_is_stored_and_the_commenter_lands_on_it(client, post, form_data, settings):
    settings.COMMENTS_MODERATION = "approve_all"
    response = client.post(comment_url(post), form_data())
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/archives/{post.pk}#comment-{comment.pk}"
    assert comment.status == Comment.Status.APPROVED
    assert comment.ip_address == "127.0.0.1"
    # Typeset on the server when saved; the TeX stays in data-latex.
    assert '<span class="arithmatex"><mjx-container' in comment.body_html
    assert 'data-latex="x_1 * y_2"' in comment.body_html
    post.refresh_from_db()
    assert post.comment_count == 1


def test_first_time_commenter_waits_for_approval_and_sees_own_pending_comment(
    client, post, form_data, django_user_model
):
    client.post(comment_url(post), form_data())
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    html = client.get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in html
    assert "您的评论正等待审核" in html
    from django.test import Client

    stranger = Client().get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' not in stranger
    post.refresh_from_db()
    assert post.comment_count == 0


def test_returning_commenter_with_an_approved_comment_is_approved_at_once(client, post, form_data):
    make_comment(post, author_email="zhangsan@example.com", status="approved")
    client.post(comment_url(post), form_data(body="第二次评论"))
    assert Comment.objects.get(body="第二次评论").status == Comment.Status.APPROVED


@pytest.mark.parametrize(
    "policy, known, expected",
    [("hold_all", True, "pending"), ("approve_all", False, "approved")],
)
def test_moderation_policy_setting_overrides_the_default(
    client, post, form_data, settings, policy, known, expected
):
    settings.COMMENTS_MODERATION = policy
    if known:
        make_comment(post, author_email="zhangsan@example.com")
    client.post(comment_url(post), form_data(body="策略测试"))
    assert Comment.objects.get(body="策略测试").status == expected


def test_more_than_a_few_links_sends_a_comment_to_moderation(client, post, form_data, settings):
    settings.COMMENTS_MODERATION = "approve_all"
    body = " ".join(f"https://spam{i}.example.com" for i in range(4))
    client.post(comment_url(post), form_data(body=body))
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_post_author_logged_in_is_approved_with_a_badge(client, post, form_data):
    client.force_login(post.author)
    client.post(comment_url(post), form_data(author_name="林一", body="作者的回复"))
    comment = Comment.objects.get()
    assert comment.is_post_author
    assert comment.status == Comment.Status.APPROVED
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<span class="badge">博主</span>' in html


def test_reply_nests_under_its_parent(client, post, form_data):
    parent = make_comment(post)
    response = client.post(comment_url(post), form_data(parent=parent.pk, body="同意楼上"))
    reply = Comment.objects.get(body="同意楼上")
    assert response.status_code == 302
    assert reply.parent == parent
    assert reply.tree_id == parent.tree_id


def test_name_email_and_website_are_remembered_for_next_visit(client, post, form_data):
    client.post(
        comment_url(post),
        form_data(author_name="张三", author_url="https://zhangsan.example.com"),
    )
    for cookie in ("comment_author", "comment_email", "comment_url"):
        assert client.cookies[cookie]["httponly"], f"{cookie} is readable by scripts"
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'value="张三"' in html
    assert 'value="zhangsan@example.com"' in html
    assert 'value="https://zhangsan.example.com"' in html


def test_double_click_stores_one_comment(client, post, form_data, settings):
    settings.COMMENTS_RATE_LIMITS = [(1, 15)]
    data = form_data()
    first = client.post(comment_url(post), data)
    second = client.post(comment_url(post), data)
    assert Comment.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_rate_limit_answers_429_with_a_clear_message_and_keeps_the_text(
    client, post, form_data, settings
):
    settings.COMMENTS_RATE_LIMITS = [(1, 15), (20, 3600)]
    client.post(comment_url(post), form_data(body="第一条"))
    response = client.post(comment_url(post), form_data(body="紧接着的第二条"))
    html = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "评论太频繁了" in html
    assert "紧接着的第二条" in html
    assert Comment.objects.count() == 1


def test_hourly_rate_limit(client, post, form_data, settings):
    settings.COMMENTS_RATE_LIMITS = [(3, 3600)]
    for i in range(3):
        make_comment(post, ip_address="127.0.0.1", body=f"早先的{i}")
    response = client.post(comment_url(post), form_data())
    assert response.status_code == 429


def assert_rejected_with_text_kept(response, message, kept="很有启发的推导", stored=0):
    html = response.content.decode()
    assert response.status_code == 400, html
    assert message in html
    assert kept in html
    assert Comment.objects.count() == stored


def test_honeypot_filled_is_refused(client, post, form_data):
    response = client.post(comment_url(post), form_data(homepage="http://bot.example"))
    assert_rejected_with_text_kept(response, "请不要填写这个隐藏字段")


def test_form_posted_too_fast_is_refused(client, post, form_data):
    response = client.post(comment_url(post), form_data(timestamp=aged_timestamp(post, 0)))
    assert_rejected_with_text_kept(response, "提交得太快了")


def test_forms_served_within_a_second_share_one_signed_moment(post, time_machine, settings):
    from comments.forms import issue_timestamp

    time_machine.move_to("2030-01-01 00:00:00.1+00:00", tick=False)
    first = issue_timestamp(f"post:{post.pk}")
    time_machine.move_to("2030-01-01 00:00:00.9+00:00", tick=False)
    assert issue_timestamp(f"post:{post.pk}") == first
    assert issue_timestamp("page:3") != first
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    assert issue_timestamp(f"post:{post.pk}") != first
    time_machine.move_to("2030-01-01 00:00:01.0+00:00", tick=False)
    assert issue_timestamp(f"post:{post.pk}") != first


def test_a_form_served_from_cache_is_still_refused_if_posted_too_fast(
    client, post, form_data, time_machine
):
    time_machine.move_to("2030-01-01 00:00:00.9+00:00", tick=False)
    page = client.get(post.get_absolute_url()).content.decode()
    timestamp = page.split('name="timestamp" value="')[1].split('"')[0]
    time_machine.move_to("2030-01-01 00:00:02.5+00:00", tick=False)
    response = client.post(comment_url(post), form_data(timestamp=timestamp))
    assert_rejected_with_text_kept(response, "提交得太快了")


def test_form_older_than_a_day_is_refused(client, post, form_data):
    stale = aged_timestamp(post, 0)
    from unittest import mock

    with mock.patch("django.core.signing.time.time", return_value=10**10):
        response = client.post(comment_url(post), form_data(timestamp=stale))
    assert_rejected_with_text_kept(response, "表单已过期")


@pytest.mark.parametrize("timestamp", ["", "garbage", "1700000000"])
def test_missing_or_forged_timestamp_is_refused(client, post, form_data, timestamp):
    response = client.post(comment_url(post), form_data(timestamp=timestamp))
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_timestamp_issued_for_another_post_is_refused(client, post, form_data, author):
    other = make_post(author=author)
    response = client.post(comment_url(post), form_data(timestamp=aged_timestamp(other)))
    assert_rejected_with_text_kept(response, "表单校验失败")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("author_name", "", "这个字段是必填项"),
        ("author_email", "", "这个字段是必填项"),
        ("author_email", "not-an-email", "有效的 Email 地址"),
        ("author_url", "javascript:alert(1)", "有效的 URL"),
        ("author_url", "ftp://files.example.com", "有效的 URL"),
        ("author_name", "张三\r\nBcc: victim@example.com", "不能包含换行或控制字符"),
        ("author_email", "a@example.com\nBcc: b@example.com", "有效的 Email 地址"),
        ("author_name", "x" * 51, "不超过 50 字符"),
    ],
)
def test_invalid_author_fields_are_refused(client, post, form_data, field, value, message):
    response = client.post(comment_url(post), form_data(**{field: value}))
    assert_rejected_with_text_kept(response, message)


@pytest.mark.parametrize("body", ["", "   \n\t  "])
def test_empty_body_is_refused(client, post, form_data, body):
    response = client.post(comment_url(post), form_data(body=body))
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode() or "评论内容不能为空" in (
        response.content.decode()
    )
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("length", [10_001, 1_000_000])
def test_overlong_body_is_refused(client, post, form_data, length):
    response = client.post(comment_url(post), form_data(body="长" * length))
    assert response.status_code == 400
    assert "不超过 10000 字符" in response.content.decode()
    assert Comment.objects.count() == 0


def test_body_of_exactly_the_maximum_length_is_accepted(client, post, form_data):
    response = client.post(comment_url(post), form_data(body="字" * 10_000))
    assert response.status_code == 302


@pytest.mark.parametrize("field", ["author_name", "author_email", "author_url", "body"])
def test_nul_bytes_in_any_field_are_refused(client, post, form_data, field):
    response = client.post(comment_url(post), form_data(**{field: "ab\x00cd"}))
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_pathological_markdown_is_refused_cleanly(client, post, form_data):
    response = client.post(comment_url(post), form_data(body="[" * 10_000))
    html = response.content.decode()
    assert response.status_code == 400
    assert "方括号太多" in html
    assert Comment.objects.count() == 0


def test_parent_from_another_post_is_refused(client, post, form_data, author):
    other_parent = make_comment(make_post(author=author))
    response = client.post(comment_url(post), form_data(parent=other_parent.pk))
    assert_rejected_with_text_kept(response, "要回复的评论不存在或尚未通过审核", stored=1)


@pytest.mark.parametrize("status", ["pending", "removed", "spam"])
def test_reply_to_an_unapproved_or_removed_comment_is_refused(client, post, form_data, status):
    parent = make_comment(post, status=status)
    response = client.post(comment_url(post), form_data(parent=parent.pk))
    assert response.status_code == 400
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("parent", ["999999", "abc", "-1", "1.5"])
def test_missing_or_non_numeric_parent_is_refused(client, post, form_data, parent):
    response = client.post(comment_url(post), form_data(parent=parent))
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_comment_on_a_draft_or_missing_post_is_404(client, post, form_data, author):
    draft = make_post(author=author, status=Post.Status.DRAFT)
    data = form_data(for_post=draft)
    assert client.post(comment_url(draft), data).status_code == 404
    assert client.post("/archives/999999/comment", data).status_code == 404
    assert Comment.objects.count() == 0


def test_get_on_the_comment_url_is_not_allowed(client, post):
    assert client.get(comment_url(post)).status_code == 405


def test_preview_endpoint_returns_sanitized_html(client, post):
    response = client.post(
        reverse("comments:preview"), {"body": "**粗体** $a_1$ <script>alert(1)</script>"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>粗体</strong>" in html
    assert r"\(a_1\)" in html
    assert "<script>" not in html


@pytest.mark.parametrize("length", [10_001, 1_000_000])
def test_preview_refuses_an_overlong_body_as_posting_does(client, post, form_data, length):
    body = "长" * length
    preview = client.post(reverse("comments:preview"), {"body": body})
    assert preview.status_code == 400
    assert preview["Content-Type"].startswith("text/plain")
    assert "不超过 10000 字符" in preview.content.decode()
    posted = client.post(comment_url(post), form_data(body=body))
    assert posted.status_code == 400
    assert preview.content.decode() in posted.content.decode()


def test_preview_renders_a_body_of_exactly_the_maximum_length(client, post):
    preview = client.post(reverse("comments:preview"), {"body": "字" * 10_000})
    assert preview.status_code == 200
    assert preview.content.decode().count("字") == 10_000


def test_preview_without_javascript_shows_the_comment_and_keeps_the_form(client, post, form_data):
    response = client.post(comment_url(post), form_data(preview="1", body="预览 **一下**"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>一下</strong>" in html
    assert "预览 **一下**" in html
    assert Comment.objects.count() == 0
