"""What clears the page cache: every model readers can see, declared once in settings."""

import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from blog.models import Post
from core import content_version
from core.models import ContentVersion
from tests.factories import make_author, make_category, make_comment, make_post, make_tag

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"


def fresh_html(url):
    """Fetch a page as a new visitor with no cookies, who gets cached pages."""
    return Client(HTTP_USER_AGENT=BROWSER).get(url).content.decode()


def _change_post():
    post = make_post()
    yield
    post.title = "新标题"
    post.save()
    yield
    post.delete()


def _change_category():
    category = make_category()
    yield
    category.name = "新分类名"
    category.save()
    yield
    category.delete()


def _change_tag():
    tag = make_tag()
    yield
    tag.name = "新标签名"
    tag.save()
    yield
    tag.delete()


def _change_post_tags():
    post, tag = make_post(), make_tag()
    yield
    post.tags.add(tag)
    yield
    post.tags.remove(tag)
    yield
    post.tags.add(tag)
    yield
    post.tags.clear()


def _change_comment():
    comment = make_comment(make_post())
    yield
    comment.body = "改过的评论"
    comment.save()
    yield
    comment.delete()


def _change_user():
    user = make_author()
    yield
    user.first_name = "新名字"
    user.save(update_fields=["first_name"])
    yield
    user.delete()


def _change_redirect():
    from redirects.models import Redirect

    redirect = Redirect.objects.create(old_path="/2019/03/old/", new_path="/archives/1")
    yield
    redirect.new_path = "/archives/2"
    redirect.save()
    yield
    redirect.delete()


def _change_page():
    from pages.models import Page

    page = Page.objects.create(
        title="关于", slug="about", author=make_author(), status=Page.Status.PUBLISHED
    )
    yield
    page.title = "关于本站"
    page.save()
    yield
    page.delete()


def _change_site_settings():
    from core import site

    row = site.row()
    yield
    row.name = "新站名"
    row.save()
    yield
    row.footer_text = "新的页脚"
    row.save()


def _change_media_file():
    from media.models import MediaFile

    media = MediaFile.objects.create(
        file="uploads/ab/abababababababab-x.pdf",
        original_name="x.pdf",
        kind="document",
        content_type="application/pdf",
        size=10,
        sha256="ab" * 32,
    )
    yield
    media.caption = "新说明"
    media.save()
    yield
    media.delete()


# One way to write each model of PAGE_CACHE_INVALIDATED_BY; every step after the first
# (which only sets the scene) is a write readers could see.
WRITES = {
    "blog.Post": _change_post,
    "blog.Category": _change_category,
    "blog.Tag": _change_tag,
    "blog.Post_tags": _change_post_tags,
    "comments.Comment": _change_comment,
    "redirects.Redirect": _change_redirect,
    "pages.Page": _change_page,
    "core.SiteSettings": _change_site_settings,
    "media.MediaFile": _change_media_file,
    "auth.User": _change_user,
}


def test_every_invalidating_model_has_a_write_below():
    assert set(WRITES) == set(settings.PAGE_CACHE_INVALIDATED_BY)


@pytest.mark.parametrize("label", list(WRITES))
def test_each_write_of_an_invalidating_model_changes_the_content_version(db, label):
    steps = WRITES[label]()
    next(steps)  # set the scene
    for _ in steps:
        before = content_version.current()
        next(steps, None)
        assert content_version.current() != before, label


def test_a_login_does_not_retire_cached_pages(db):
    user = make_author()
    before = content_version.current()
    user.last_login = user.date_joined
    user.save(update_fields=["last_login"])
    assert content_version.current() == before


def test_a_write_that_bypasses_signals_changes_nothing_until_bump(db):
    post = make_post()
    before = content_version.current()
    Post.objects.filter(pk=post.pk).update(views=5)  # reader counts never retire pages
    assert content_version.current() == before
    assert content_version.bump() == content_version.current() != before


def test_renaming_the_author_shows_on_cached_post_pages_and_listings_at_once(db):
    author = make_author(first_name="林一")
    post = make_post(author=author, title="作者改名之前")
    urls = [post.get_absolute_url(), f"/category/{post.category.slug}/", "/feed/"]
    for url in urls:
        assert "林一" in fresh_html(url), url
    author.first_name = "林二"
    author.save()
    for url in urls:
        html = fresh_html(url)
        assert "林二" in html and "林一" not in html, url


def test_a_missing_version_row_is_recreated(db):
    ContentVersion.objects.all().delete()
    number = content_version.current()
    assert ContentVersion.objects.get().number == number


def test_a_deploys_migrate_retires_pages_cached_by_the_previous_code(db):
    from django.core.management import call_command

    before = content_version.current()
    call_command("migrate", verbosity=0)
    assert content_version.current() != before


def _eventually(read, expected, seconds=5.0):
    """Call read() until it returns `expected` (a NOTIFY takes a moment to arrive)."""
    deadline = time.monotonic() + seconds
    while (seen := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return seen


@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is Postgres's")
def test_the_listener_follows_every_bump_and_comes_back_after_losing_its_connection(
    transactional_db,
):
    listener = content_version.VersionListener()
    try:
        number = content_version.current()
        assert listener.current()[0] == number  # read when it connects
        assert listener.current()[0] == number  # nothing new: the socket had nothing to read

        for _ in range(3):
            with transaction.atomic():
                number = content_version.bump()
            assert _eventually(lambda: listener.current()[0], number) == number

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(%s)", [listener.connection.info.backend_pid]
            )
        # Its closed connection is noticed (None: read the number from the table meanwhile)...
        assert _eventually(listener.current, None) is None
        with transaction.atomic():
            number = content_version.bump()
        # ...and the next look connects again and follows the bumps as before.
        assert listener.current()[0] == number
        with transaction.atomic():
            number = content_version.bump()
        assert _eventually(lambda: listener.current()[0], number) == number
    finally:
        listener._close()
