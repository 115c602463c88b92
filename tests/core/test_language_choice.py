"""The interface language comes from the browser or the footer's switch, and cached pages keep
each language apart."""

import pytest
from django.conf import settings

from tests.factories import make_post


@pytest.fixture
def read_post(db, author, category):
    post = make_post(author=author, category=category, title="能量守恒")
    post.views = 58631
    post.save()
    return post


def test_an_english_browser_gets_the_english_interface_and_a_chinese_one_the_chinese(client, db):
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert english.headers["Content-Language"] == "en"
    assert '<html lang="en"' in english.content.decode()
    assert "Recent comments" in english.content.decode()
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert chinese.headers["Content-Language"] == "zh-hans"
    assert "最近评论" in chinese.content.decode()
    # A browser asking for neither gets the site's own language.
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr").headers["Content-Language"] == "zh-hans"


def test_the_same_url_is_cached_once_per_language(client, read_post):
    url = read_post.get_absolute_url()
    for _ in range(2):  # the second round comes from the page cache
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
        assert "Cite" in english and "引用" not in english.replace('lang="zh-CN"', "")
        assert "转载到请包括本文地址" in chinese
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert {"Accept-Language", "Cookie"} <= {
        part.strip() for part in response.headers["Vary"].split(",")
    }


BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)


def test_reader_counts_and_dates_are_worded_in_the_reader_language(client, read_post):
    client.defaults["HTTP_USER_AGENT"] = BROWSER  # only browsers are counted as readers
    english = client.get(read_post.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="views">58,632 readers</span>' in english
    assert "“能量守恒” [Blog post]. Retrieved from" in english
    chinese = client.get(read_post.get_absolute_url()).content.decode()
    assert '<span class="views">58632位读者</span>' in chinese
    assert "《能量守恒》[Blog post]" in chinese
    sidebar = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    month = read_post.published_at
    assert month.strftime("%B %Y") in sidebar


def test_the_footer_switch_remembers_the_choice_in_a_cookie_over_the_browser_language(
    client, read_post
):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'href="/language/en/?next=/"' in html
    response = client.get("/language/en/", {"next": read_post.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == read_post.get_absolute_url()
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 30 * 24 * 3600
    # The cookie wins over a Chinese browser, on a page cached for Chinese readers before.
    page = client.get(read_post.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert page.headers["Content-Language"] == "en"
    client.get("/language/zh-hans/")
    page = client.get(read_post.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert page.headers["Content-Language"] == "zh-hans"


def test_the_switch_refuses_unknown_languages_and_never_sends_readers_elsewhere(client, db):
    assert client.get("/language/fr/").status_code == 404
    response = client.get("/language/en/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"
    response = client.get("/language/en/", {"next": "//evil.example/"})
    assert response["Location"] == "/"
