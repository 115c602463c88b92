"""The author's side: Django admin for posts with filters, defaults and a faithful preview."""

import pytest

from blog.models import Post


@pytest.fixture
def admin_client(client, author):
    client.force_login(author)
    return client


def test_post_changelist_filters_by_status_category_and_date(admin_client, post):
    html = admin_client.get("/admin/blog/post/").content.decode()
    assert post.title in html
    for filter_title in ("状态", "分类", "发布时间"):
        assert f"按 {filter_title}" in html or filter_title in html
    assert admin_client.get("/admin/blog/post/?status__exact=draft").status_code == 200
    assert admin_client.get("/admin/blog/post/?q=梯度").status_code == 200


def test_new_post_form_defaults_author_to_the_logged_in_user(admin_client, author):
    html = admin_client.get("/admin/blog/post/add/").content.decode()
    assert f'<option value="{author.pk}" selected>' in html


def test_category_slug_is_prefilled_from_the_name(admin_client):
    html = admin_client.get("/admin/blog/category/add/").content.decode()
    assert "prepopulated" in html


def test_saving_a_post_in_admin_renders_its_html(admin_client, author, category):
    response = admin_client.post(
        "/admin/blog/post/add/",
        {
            "title": "新文章",
            "body_format": "markdown",
            "body": "含 $a_1*b_2$ 的段落。",
            "comments_open": "on",
            "category": category.pk,
            "status": "published",
            "published_at_0": "2024-01-01",
            "published_at_1": "10:00:00",
            "author": author.pk,
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(title="新文章")
    # Typeset on the server when saved: the TeX stays in data-latex, not as `*` emphasis.
    assert 'data-latex="a_1*b_2"' in post.body_html
    assert "<mjx-container" in post.body_html


def test_preview_renders_the_body_like_the_post_page(admin_client):
    response = admin_client.post(
        "/admin/blog/post/preview/", {"title": "预览", "body": "## 小节\n\n$x_1$ 与 **粗体**"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="post-body math-scope"' in html
    assert r'<span class="arithmatex">\(x_1\)</span>' in html
    assert "<strong>粗体</strong>" in html
    assert "tex-chtml.js" in html
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_preview_requires_staff(client):
    response = client.post("/admin/blog/post/preview/", {"body": "x"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
