"""An export is a file from outside: entity tricks are refused, a broken file names its line."""

import pytest
from django.core.management.base import CommandError

from blog.models import Post, Tag
from comments.models import Comment
from redirects.models import Redirect
from tests.factories import make_post

from . import wxr
from .conftest import run

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY a "lol">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
  <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rss><channel><wp:wxr_version xmlns:wp="http://wordpress.org/export/1.2/">1.2</wp:wxr_version>
<item><title>&i;</title></item></channel></rss>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><wp:wxr_version xmlns:wp="http://wordpress.org/export/1.2/">1.2</wp:wxr_version>
<item><title>&secret;</title></item></channel></rss>
"""


def state():
    return (
        Post.objects.count(),
        Comment.objects.count(),
        Redirect.objects.count(),
        Tag.objects.count(),
    )


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["bomb", "external"])
def test_a_file_with_entity_declarations_is_refused(tmp_path, document):
    path = tmp_path / "hostile.xml"
    path.write_text(document)
    with pytest.raises(CommandError, match="DOCTYPE"):
        run("import_wordpress", path)
    assert state() == (0, 0, 0, 0)


def test_a_truncated_export_names_the_line_and_leaves_the_site_as_it_was(tmp_path, author):
    make_post(author=author, title="本站原有的文章")
    before = state()
    whole = wxr.site()
    path = tmp_path / "truncated.xml"
    path.write_text(whole[: len(whole) * 2 // 3], encoding="utf-8")
    lines = path.read_text(encoding="utf-8").count("\n") + 1

    with pytest.raises(CommandError) as raised:
        run("import_wordpress", path)

    message = str(raised.value)
    assert f"第 {lines} 行" in message and "不完整" in message and "未作任何改动" in message
    assert state() == before


def test_a_malformed_export_names_the_line(tmp_path):
    broken = wxr.site().replace("<wp:post_name>classic</wp:post_name>", "<wp:post_name>classic")
    path = tmp_path / "broken.xml"
    path.write_text(broken, encoding="utf-8")
    opened = broken[: broken.index("<wp:post_name>classic")].count("\n") + 1
    noticed = broken[: broken.index("</item>", broken.index("<wp:post_name>classic"))].count("\n")
    with pytest.raises(CommandError) as raised:
        run("import_wordpress", path)
    # The parser notices at the item's end and names where the unclosed element opened.
    assert f"第 {noticed + 1} 行" in str(raised.value) and f"line {opened}" in str(raised.value)
    assert state() == (0, 0, 0, 0)


def test_a_file_that_is_not_a_wordpress_export_says_so(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>')
    with pytest.raises(CommandError, match="不是 WordPress 导出文件"):
        run("import_wordpress", path)
    path.write_text('<?xml version="1.0"?><html><body/></html>')
    with pytest.raises(CommandError, match="根元素是 <html>"):
        run("import_wordpress", path)


def test_a_failure_half_way_rolls_everything_back(tmp_path, monkeypatch):
    path = tmp_path / "export.xml"
    path.write_text(wxr.site(), encoding="utf-8")
    from comments import importing

    def explode(**kwargs):
        raise importing.Comment.DoesNotExist("simulated failure in the middle")

    monkeypatch.setattr(importing, "import_comments", explode)
    with pytest.raises(importing.Comment.DoesNotExist):
        run("import_wordpress", path)
    assert state() == (0, 0, 0, 0)
