"""Reader counts: one atomic increment per new reader, none for reloads or crawlers, none lost."""

from concurrent.futures import ThreadPoolExecutor
from urllib.request import Request, urlopen

import pytest

from blog.models import Post
from blog.readers import COOKIE_NAME

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"


def views_of(post):
    return Post.objects.values_list("views", flat=True).get(pk=post.pk)


def test_a_view_adds_one_and_the_page_shows_the_new_count(client, post):
    response = client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert views_of(post) == 1
    assert "1位读者" in response.content.decode()


def test_reloading_within_a_day_is_not_counted_again(client, post):
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert views_of(post) == 1


def test_the_cookie_expires_after_a_day(client, post, time_machine):
    time_machine.move_to("2030-01-01 00:00:00+00:00", tick=False)
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    time_machine.move_to("2030-01-02 00:00:01+00:00", tick=False)
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert views_of(post) == 2


def test_reading_another_post_is_counted(client, post, author, category):
    from tests.factories import make_post

    other = make_post(author=author, category=category)
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    client.get(other.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert (views_of(post), views_of(other)) == (1, 1)


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com)",
    ],
)
def test_crawlers_are_not_counted(client, post, user_agent):
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=user_agent)
    assert views_of(post) == 0


def test_garbage_in_the_cookie_is_ignored(client, post):
    client.cookies[COOKIE_NAME] = f"x:y.{post.pk}:abc.:::.999999999999999999999:1"
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert views_of(post) == 1


def test_count_is_a_64_bit_integer(client, post):
    Post.objects.filter(pk=post.pk).update(views=2**62)
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert views_of(post) == 2**62 + 1


def test_no_view_is_lost_under_concurrent_readers(gunicorn_server, post):
    """N concurrent cookie-less requests through several gunicorn workers add exactly N."""
    requests = 200
    url = gunicorn_server.url + post.get_absolute_url()

    def read(_):
        with urlopen(Request(url, headers={"User-Agent": BROWSER}), timeout=30) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(read, range(requests)))
    assert statuses == [200] * requests
    assert views_of(post) == requests
