"""Pictures of the library in a post: sizes for the browser to choose, lazy below the fold."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from lxml import html as lxml_html

from blog.rendering import render_markdown
from media.services import store_file
from tests.factories import make_post

from .pictures import photo, plain

pytestmark = pytest.mark.django_db


def images_of(fragment):
    return lxml_html.fragment_fromstring(fragment, create_parent="div").findall(".//img")


def test_a_library_picture_gets_srcset_sizes_and_its_dimensions():
    media = store_file(io.BytesIO(photo(3000, 2000)), name="figure.jpg")
    html = render_markdown(f"![损失曲线]({media.url})")
    (image,) = images_of(html)
    assert (image.get("width"), image.get("height")) == ("3000", "2000")
    candidates = [c.strip().rsplit(" ", 1) for c in image.get("srcset").split(",")]
    assert [width for _, width in candidates] == ["480w", "960w", "1600w", "3000w"]
    assert candidates[0][0] == default_storage.url(media.variants[-1]["name"])
    assert candidates[-1][0] == media.url
    assert "720px" in image.get("sizes")


def test_the_figure_links_to_the_original():
    media = store_file(io.BytesIO(photo(2000, 1000)), name="figure.jpg")
    html = render_markdown(f"![损失曲线]({media.url})")
    figure = lxml_html.fragment_fromstring(html, create_parent="div").find(".//figure")
    caption = figure.find("figcaption")
    assert caption.text.strip() == "损失曲线"
    link = caption.find("a")
    assert link.get("href") == media.url
    assert link.text == "点击查看原图"


def test_only_pictures_after_the_first_load_lazily():
    first = store_file(io.BytesIO(plain(1000, 500)), name="one.png")
    second = store_file(io.BytesIO(plain(1100, 500)), name="two.png")
    source = (
        f"![一]({first.url})\n\n正文。\n\n![二]({second.url})\n\n![外部](https://example.org/x.png)"
    )
    images = images_of(render_markdown(source))
    assert [image.get("loading") for image in images] == [None, "lazy", "lazy"]


def test_a_picture_from_elsewhere_is_left_as_it_was():
    (image,) = images_of(render_markdown("![图](https://example.org/0123456789abcdef-x.png)"))
    assert image.get("srcset") is None and image.get("width") is None


def test_the_post_page_serves_the_sizes(client, author, category):
    media = store_file(io.BytesIO(photo(2400, 1600)), name="figure.jpg")
    post = make_post(author=author, category=category, body=f"开头。\n\n![图一]({media.url})\n")
    page = client.get(post.get_absolute_url()).content.decode()
    tag = re.search(r"<img [^>]*>", page[page.index('class="post-body') :]).group(0)
    assert 'width="2400"' in tag and 'height="1600"' in tag
    assert "960w" in tag and 'sizes="' in tag
    assert "点击查看原图" in page


def test_a_library_picture_in_an_html_body_gets_its_sizes(author, category):
    media = store_file(io.BytesIO(photo(2400, 1600)), name="imported.jpg")
    post = make_post(
        author=author,
        category=category,
        body_format="html",
        body=f'<p>导入的文章。</p>\n<img src="{media.url}" alt="图"><img src="{media.url}" '
        f'width="300" height="200" alt="缩略"><img src="/wp-content/x.png" alt="旧图">',
    )
    full, chosen, elsewhere = images_of(post.body_html)
    assert (full.get("width"), full.get("height")) == ("2400", "1600")
    assert "960w" in full.get("srcset") and "720px" in full.get("sizes")
    # The size the author chose when inserting it stays, and the browser is told so.
    assert (chosen.get("width"), chosen.get("height")) == ("300", "200")
    assert chosen.get("sizes") == "(max-width: 300px) 100vw, 300px"
    assert elsewhere.get("srcset") is None
