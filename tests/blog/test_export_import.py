"""export_site and import_site: a site survives the round trip through one file unchanged."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from blog.models import Category, Post, Tag
from comments.models import Comment
from comments.services import refresh_comment_counts
from tests.factories import make_author, make_category, make_comment, make_post, make_tag
from tests.snapshots import without_comment_math_scope

User = get_user_model()

POST_FIELDS = (
    "body",
    "body_html",
    "excerpt_html",
    "status",
    "published_at",
    "updated_at",
    "views",
    "comment_count",
    "search_title",
    "search_body",
    "search_vector",
)
COMMENT_FIELDS = (
    "author_name",
    "author_email",
    "author_url",
    "is_post_author",
    "body",
    "body_html",
    "status",
    "created_at",
    "notify_on_reply",
    "ip_address",
    "user_agent",
)
USER_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_superuser",
    "is_active",
    "date_joined",
)
MATH_BODY = (
    "梯度下降沿 $-\\nabla f(x)$ 走一步：\n\n"
    "$$x_{t+1} = x_t - \\eta \\nabla f(x_t)$$\n\n"
    "<!--more-->\n\n"
    "\\begin{equation}\nf(x) \\approx f(x_t) + \\langle \\nabla f(x_t), x - x_t \\rangle\n"
    "\\end{equation}\n\n"
    "| 步长 | 效果 |\n|---|---|\n| 大 | 振荡 |\n"
)


@pytest.fixture
def site(db):
    """A small site: two authors, drafts, a scheduled post, and threads three levels deep."""
    lin = make_author(username="linyi", last_name="苏", email="lin@example.com")
    ada = make_author(username="ada", first_name="Ada", last_name="Lovelace", is_superuser=False)
    math = make_category(name="数学", slug="math")
    Category.objects.filter(pk=math.pk).update(description="分析、代数与几何。")
    ml = make_category(name="机器学习", slug="机器学习")
    optimization = make_tag(name="优化", slug="优化")
    gradient = make_tag(name="梯度", slug="gradient")
    make_tag(name="未使用", slug="unused")

    now = timezone.now()
    published = make_post(
        title="梯度下降的几何意义",
        author=lin,
        category=math,
        body=MATH_BODY,
        tags=[optimization, gradient],
    )
    attention = make_post(title="注意力机制：从 RNN 到 Transformer", author=ada, category=ml)
    draft = make_post(
        title="草稿：变分推断", author=lin, category=ml, status=Post.Status.DRAFT, body="未完待续"
    )
    make_post(
        title="定时：傅里叶变换",
        author=ada,
        category=math,
        published_at=now + timedelta(days=3),
        tags=[gradient],
    )
    Post.objects.filter(pk=published.pk).update(
        views=1234, updated_at=now - timedelta(days=2, microseconds=17)
    )
    Post.objects.filter(pk=attention.pk).update(views=7)

    root = make_comment(
        published,
        author_name="张三",
        body="第一层：$e^{i\\pi} + 1 = 0$ 太美了。",
        notify_on_reply=True,
        author_url="https://example.org/~zhang",
        user_agent="Mozilla/5.0 (X11; Linux x86_64)",
    )
    reply = make_comment(
        published,
        parent=root,
        body="第二层：作者回复。",
        user=lin,
        is_post_author=True,
        author_name="林一",
        ip_address="2001:db8::1",
    )
    make_comment(attention, body="另一篇文章的讨论串，夹在中间。")
    make_comment(published, parent=reply, body="第三层，待审核。", status="pending")
    make_comment(published, parent=root, body="第二层的第二条回复。")
    spam = make_comment(
        published, body="便宜的药 http://spam.example", status="spam", ip_address=None
    )
    make_comment(published, parent=spam, body="已删除的回复。", status="removed")
    make_comment(draft, body="草稿上的评论。", status="pending")
    for minutes, pk in enumerate(Comment.objects.order_by("pk").values_list("pk", flat=True)):
        Comment.objects.filter(pk=pk).update(
            created_at=now - timedelta(hours=5, minutes=-minutes, microseconds=minutes)
        )
    # The site keeps comment_count in step through its services; factories do not.
    with transaction.atomic():
        refresh_comment_counts(Post.objects.values_list("pk", flat=True))


def snapshot():
    """Return everything readers and authors see, as plain data free of database ids."""
    thread_rank = {
        tree_id: rank
        for rank, tree_id in enumerate(
            Comment.objects.filter(level=0).order_by("tree_id").values_list("tree_id", flat=True)
        )
    }
    posts = {}
    for post in Post.objects.select_related("author", "category").prefetch_related("tags"):
        posts[post.title] = {
            **{name: getattr(post, name) for name in POST_FIELDS},
            "author": post.author.username,
            "category": post.category.slug,
            "tags": sorted(tag.slug for tag in post.tags.all()),
            "threads": _threads(post, thread_rank),
        }
    return {
        "users": {
            user.username: {name: getattr(user, name) for name in USER_FIELDS}
            for user in User.objects.all()
        },
        "categories": list(
            Category.objects.order_by("slug").values_list("name", "slug", "description")
        ),
        "tags": list(Tag.objects.order_by("slug").values_list("name", "slug")),
        "posts": posts,
    }


def _threads(post, thread_rank):
    """The comments of a post as nested threads, with tree positions relative to each thread."""
    threads, nodes = [], {}
    for comment in post.comments.select_related("user").order_by("tree_id", "lft"):
        node = {
            **{name: getattr(comment, name) for name in COMMENT_FIELDS},
            "body_html": without_comment_math_scope(comment.body_html),
            "user": comment.user.username if comment.user else None,
            "position": (comment.lft, comment.rght, comment.level),
            "replies": [],
        }
        if comment.parent_id is None:
            node["thread_rank"] = thread_rank[comment.tree_id]
            threads.append(node)
        else:
            nodes[comment.parent_id]["replies"].append(node)
        nodes[comment.pk] = node
    return threads


def wipe():
    Comment.objects.all().delete()
    Post.objects.all().delete()
    Tag.objects.all().delete()
    Category.objects.all().delete()
    User.objects.all().delete()


def site_is_empty():
    return not any(model.objects.exists() for model in (Comment, Post, Tag, Category, User))


def export(path, *options):
    call_command("export_site", str(path), *options, stdout=io.StringIO())
    return path


def test_round_trip_changes_nothing(site, tmp_path):
    before = snapshot()
    ids = {
        "posts": dict(Post.objects.values_list("title", "pk")),
        "comments": sorted(Comment.objects.values_list("pk", flat=True)),
    }
    path = export(tmp_path / "site.json")
    wipe()
    assert site_is_empty()

    out = io.StringIO()
    call_command("import_site", str(path), stdout=out)

    assert snapshot() == before
    assert "导入完成：4 篇文章，8 条评论" in out.getvalue()
    # Links to /post/<id>/ and #comment-<id> keep working.
    assert dict(Post.objects.values_list("title", "pk")) == ids["posts"]
    assert sorted(Comment.objects.values_list("pk", flat=True)) == ids["comments"]
    # Without --include-password-hashes nobody can log in until a password is set.
    assert not any(user.has_usable_password() for user in User.objects.all())


def test_imported_trees_are_what_rebuild_would_make(site, tmp_path):
    path = export(tmp_path / "site.json")
    wipe()
    call_command("import_site", str(path), stdout=io.StringIO())
    fields = ("pk", "parent_id", "tree_id", "lft", "rght", "level")
    imported = list(Comment.objects.order_by("pk").values_list(*fields))
    Comment.objects.rebuild()
    assert list(Comment.objects.order_by("pk").values_list(*fields)) == imported


def test_site_keeps_working_after_import(site, tmp_path):
    path = export(tmp_path / "site.json")
    wipe()
    call_command("import_site", str(path), stdout=io.StringIO())
    imported_max = max(Post.objects.values_list("pk", flat=True))
    published = Post.objects.get(title="梯度下降的几何意义")

    new_post = make_post(author=published.author, category=published.category)
    thread = make_comment(published, body="导入之后的新讨论串")
    reply = make_comment(published, parent=Comment.objects.get(body__startswith="第三层"))

    assert new_post.pk > imported_max  # the id sequences were moved past the imported ids
    assert thread.tree_id == Comment.objects.filter(level=0).count()
    reply.refresh_from_db()
    assert (reply.level, reply.get_root().body) == (3, "第一层：$e^{i\\pi} + 1 = 0$ 太美了。")


def test_password_hashes_travel_only_when_asked(site, tmp_path):
    plain = json.loads(_stdout_of("export_site", "-"))
    assert (plain["format"], plain["version"], plain["password_hashes"]) == (
        "kexue-blog-site",
        3,
        False,
    )
    assert all("password" not in user for user in plain["users"])

    path = export(tmp_path / "with-hashes.json", "--include-password-hashes")
    wipe()
    call_command("import_site", str(path), stdout=io.StringIO())
    assert User.objects.get(username="linyi").check_password("secret-pass-123")


def test_export_to_stdout_is_the_same_document_as_the_file(site, tmp_path):
    from_file = json.loads(export(tmp_path / "site.json").read_text(encoding="utf-8"))
    from_stdout = json.loads(_stdout_of("export_site", "-"))
    del from_file["exported_at"], from_stdout["exported_at"]
    assert from_file == from_stdout
    assert "梯度下降的几何意义" in (tmp_path / "site.json").read_text(encoding="utf-8")
    assert not (tmp_path / "site.json.partial").exists()


def test_import_into_a_site_with_content_is_refused(site, tmp_path):
    path = export(tmp_path / "site.json")
    before = snapshot()
    with pytest.raises(CommandError, match="站点不是空的"):
        call_command("import_site", str(path), stdout=io.StringIO())
    assert snapshot() == before


def _truncated(text):
    # Cut inside the comments, after the users, categories, tags and posts were written.
    return text[: text.index('"comments"') + 300]


def _dangling_parent(text):
    document = json.loads(text)
    document["comments"][-1]["parent"] = 999_999
    return json.dumps(document, ensure_ascii=False)


def _other_format(text):
    document = json.loads(text)
    document["format"] = "wordpress-wxr"
    return json.dumps(document, ensure_ascii=False)


def _unknown_tag(text):
    document = json.loads(text)
    document["posts"][-1]["tags"] = ["no-such-tag"]
    return json.dumps(document, ensure_ascii=False)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "damage, message",
    [
        (_truncated, "文件已损坏或不完整"),
        (_dangling_parent, "上级评论 999999"),
        (_other_format, "不是本站的导出文件"),
        (_unknown_tag, "'no-such-tag' 不在文件的 tags 里"),
        (lambda text: "这不是 JSON", "文件已损坏或不完整"),
    ],
)
def test_damaged_file_is_refused_and_leaves_the_site_empty(site, tmp_path, damage, message):
    path = export(tmp_path / "site.json")
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    wipe()
    with pytest.raises(CommandError, match=message):
        call_command("import_site", str(path), stdout=io.StringIO())
    assert site_is_empty()


def _stdout_of(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_file_of_format_version_1_still_imports(site, tmp_path):
    """Version 1 files have no redirects or import records, and only Markdown posts."""
    document = json.loads(_stdout_of("export_site", "-"))
    document["version"] = 1
    del document["redirects"], document["imports"]
    for post in document["posts"]:
        for name in ("body_format", "is_pinned", "comments_open"):
            del post[name]
    path = tmp_path / "version-1.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    before = snapshot()
    with transaction.atomic():
        Comment.objects.all().delete()
        Post.objects.all().delete()
        call_command("import_site", str(path), stdout=io.StringIO())
    assert snapshot() == before
    assert set(Post.objects.values_list("body_format", flat=True)) == {"markdown"}
