"""A comment's snippet: plain text made at save time, formulas readable and never cut in half."""

import importlib

import pytest
from django.apps import apps

from comments.models import Comment
from comments.snippets import SNIPPET_LENGTH, snippet_of
from tests.factories import make_comment

INTEGRAL = r"$\int_0^1 x\,dx$"
INTEGRAL_READ = "∫_0^1 x dx"


def snippet(body):
    comment = Comment(body=body)
    comment.render()
    return comment.snippet


@pytest.mark.parametrize("lead", range(20, SNIPPET_LENGTH + 1))
def test_a_formula_at_the_edge_is_kept_whole_or_left_out(lead):
    text = snippet("前" * lead + INTEGRAL + "之后的文字")
    assert len(text) <= SNIPPET_LENGTH
    kept = text.removeprefix("前" * min(lead, SNIPPET_LENGTH - 1)).removesuffix("…")
    assert kept in ("", INTEGRAL_READ, INTEGRAL_READ + "之后的文字"[: len(kept) - 10])
    assert "∫" not in text or INTEGRAL_READ in text


def test_display_math_at_the_start_reads_as_text_not_as_tex():
    text = snippet(
        "\\[\\int_0^1 x\\,dx = \\frac{1}{2}\\]\n\n"
        "这个积分很基础，但作为例子刚刚好，谢谢博主的耐心分享与推导"
    )
    assert text.startswith("∫_0^1 x dx = 1/2 这个积分")
    assert "\\" not in text
    assert text.endswith("…")
    assert len(text) == SNIPPET_LENGTH


def test_markup_goes_and_formulas_read_as_unicode():
    assert snippet("**粗体** 和 $\\alpha+\\beta \\leq \\sqrt{x}$。") == "粗体 和 α+β≤√(x)。"


def test_a_short_comment_is_whole_with_no_ellipsis():
    assert snippet("感谢分享，学到了。") == "感谢分享，学到了。"


def test_tex_that_cannot_be_read_is_kept_as_typed():
    assert snippet("坏公式 $\\frac{1}{$ 结束") == "坏公式 \\frac{1}{ 结束"


def test_a_comment_opening_with_a_long_formula_shows_it_whole():
    formula = "$$" + " + ".join(f"a_{{{n}}}" for n in range(12)) + "$$"
    text = snippet(formula + "\n\n后面的讨论")
    assert text == " + ".join(f"a_{n}" for n in range(12)) + "…"
    assert len(text) > SNIPPET_LENGTH


def test_a_formula_too_long_for_any_snippet_is_left_out_not_cut():
    formula = "$$" + " + ".join(f"\\sum_{{i=1}}^{{{n}}} x_i^2" for n in range(30)) + "$$"
    assert snippet(formula) == "…"


def test_html_typed_by_a_commenter_stays_text():
    assert snippet("<b>1 < 2</b> & <script>x</script>") == "<b>1 < 2</b> & <script>x</script>"


def test_the_snippet_is_stored_when_the_comment_is_saved_and_follows_edits(post):
    comment = make_comment(post, body="旧的 $x^2$ 评论")
    assert Comment.objects.get(pk=comment.pk).snippet == "旧的 x^2 评论"
    comment.body = "新的 $\\pi$ 评论"
    comment.save()
    assert Comment.objects.get(pk=comment.pk).snippet == "新的 π 评论"


def test_the_sidebar_shows_commenter_post_title_and_snippet_without_rendering_anything(
    client, post, monkeypatch
):
    make_comment(post, author_name="王五", body="推导里 $\\int_0^1 x\\,dx$ 一步很妙")

    def no_rendering(*args, **kwargs):
        raise AssertionError("Markdown or TeX rendered during a page view")

    monkeypatch.setattr("comments.models.render_comment", no_rendering)
    monkeypatch.setattr("comments.models.snippet_of", no_rendering)
    monkeypatch.setattr("core.plaintext.readable_formula", no_rendering)
    html = client.get("/").content.decode()
    item = html[html.index('class="recent-comments"') :].split("</li>")[0]
    assert '<span class="name">王五</span>: 推导里 ∫_0^1 x dx 一步很妙</a>' in item
    assert f"《{post.title}》" in item


def test_the_admin_list_shows_the_same_snippet(client, author, post):
    make_comment(post, body="列表里 $\\alpha$ 的评论")
    client.force_login(author)
    html = client.get("/admin/comments/comment/").content.decode()
    assert "列表里 α 的评论" in html


def test_the_migration_fills_the_snippets_of_existing_comments(post):
    for n in range(3):
        make_comment(post, body=f"第{n}条 $\\beta_{n}$")
    Comment.objects.update(snippet="")
    migration = importlib.import_module("comments.migrations.0002_add_comment_snippet")
    migration.fill_snippets(apps, None)
    assert sorted(Comment.objects.values_list("snippet", flat=True)) == [
        f"第{n}条 β_{n}" for n in range(3)
    ]


def test_snippet_of_empty_html_is_empty():
    assert snippet_of("") == ""
