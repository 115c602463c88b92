"""Site settings edited in the admin: one row, the environment's values until then."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core import site
from core.models import SiteSettings

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def fetch(url):
    return Client(HTTP_USER_AGENT=BROWSER).get(url).content.decode()


def test_the_environment_gives_the_identity_until_the_row_exists(db, settings):
    settings.SITE_NAME = "环境里的名字"
    settings.SITE_CITATION_KEY = "envkey"
    identity = site.identity()
    assert (identity.name, identity.citation_key) == ("环境里的名字", "envkey")
    assert not SiteSettings.objects.exists()


def test_the_admin_list_opens_the_one_row_filled_from_the_environment(client, author, settings):
    settings.SITE_DESCRIPTION = "环境里的描述"
    client.force_login(author)
    response = client.get("/admin/core/sitesettings/")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/core/sitesettings/{site.ROW_ID}/change/"
    assert SiteSettings.objects.get().description == "环境里的描述"
    assert client.get("/admin/core/sitesettings/add/").status_code == 403


def test_a_change_in_the_admin_shows_at_once_on_every_cached_page(client, author, post):
    before = {url: fetch(url) for url in ("/", post.get_absolute_url(), "/feed/")}
    assert all("新的站名" not in html for html in before.values())
    client.force_login(author)
    client.get("/admin/core/sitesettings/")
    row = SiteSettings.objects.get()
    response = client.post(
        f"/admin/core/sitesettings/{row.pk}/change/",
        {
            "name": "新的站名",
            "description": "新的描述",
            "footer_text": "京ICP备00000000号",
            "license_name": "CC BY 4.0",
            "license_url": "https://creativecommons.org/licenses/by/4.0/",
            "citation_key": "newkey",
            "reprint_note": "",
            "reprint_link": "/faq.html",
            "reprint_link_title": "本站 FAQ",
            "theme_color": "#224466",
        },
    )
    assert response.status_code == 302
    home, post_page, feed = (fetch(url) for url in ("/", post.get_absolute_url(), "/feed/"))
    assert "<title>新的站名</title>" in home and "京ICP备00000000号" in home
    assert "新的描述" in home
    assert f"@online{{newkey-{post.pk}," in post_page
    assert "CC BY 4.0" in post_page
    reprint = r'更详细的转载事宜请参考：<a href="/faq.html"[^>]*>《本站 FAQ》</a>'
    assert re.search(reprint, post_page)
    assert "<title>新的站名</title>" in feed


def test_a_bad_theme_colour_is_refused_with_the_form_kept(client, author):
    client.force_login(author)
    client.get("/admin/core/sitesettings/")
    row = SiteSettings.objects.get()
    response = client.post(
        f"/admin/core/sitesettings/{row.pk}/change/",
        {"name": "保留的名字", "theme_color": "red; x"},
    )
    assert response.status_code == 200
    assert "保留的名字" in response.content.decode()
    assert SiteSettings.objects.get().theme_color == "#1f6fb2"


def test_tip_codes_show_at_the_end_of_every_post_once_uploaded(db, post, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert "tip-codes" not in fetch(post.get_absolute_url())
    row = site.row()
    row.tip_wechat = SimpleUploadedFile("wechat.png", PNG, content_type="image/png")
    row.save()
    html = fetch(post.get_absolute_url())
    assert re.search(r'<img src="/media/site/wechat[^"]*\.png" alt="微信打赏二维码"', html)
    assert "支付宝打赏二维码" not in html
