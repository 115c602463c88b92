"""Reader counts: one atomic increment per new reader's browser GET; none for reloads, HEADs,
crawlers or tools; none lost."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.request import Request, urlopen

import pytest
import re2
from crawleruseragents import CRAWLER_USER_AGENTS_DATA
from django.utils import timezone

from blog import readers
from blog.models import Post, PostDailyViews
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
    "fields",
    [
        {"status": Post.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(minutes=5)},
    ],
    ids=["draft", "dated in the future"],
)
def test_a_post_readers_cannot_see_is_neither_counted_nor_read(author, category, fields):
    from tests.factories import make_post

    hidden = make_post(author=author, category=category, **fields)
    assert readers.increment_views(hidden.pk) is None
    assert readers.public_views(hidden.pk) is None
    assert views_of(hidden) == 0
    assert not PostDailyViews.objects.filter(post=hidden).exists()


def test_counting_and_reading_share_one_statement_built_once_per_process(post):
    from django.test import Client

    readers.counting_sql.cache_clear()
    for agent in (BROWSER, "curl/8.5.0", BROWSER):  # counted, read, counted (a new reader)
        Client().get(post.get_absolute_url(), HTTP_USER_AGENT=agent)
    assert readers.counting_sql.cache_info().misses == 1
    assert readers.public_views(post.pk) == views_of(post) == 2
    assert PostDailyViews.objects.get(post=post).views == 2


BROWSERS = {
    "Chrome on Linux": BROWSER,
    "Firefox on Windows": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 "
    "Firefox/125.0",
    "Safari on iPhone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Edge": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    "WeChat's browser": "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40(0x18002831) "
    "NetType/WIFI Language/zh_CN",
    "Baidu's app": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 SP-engine/3.19.0 main/1.0 baiduboxapp/13.48.0.10 "
    "(Baidu; P2 17.1) NABar/1.0",
    "QQ Browser on Android": "Mozilla/5.0 (Linux; U; Android 13; zh-cn; V2203A "
    "Build/TP1A.220624.014) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
    "Chrome/109.0.5414.86 MQQBrowser/14.5 Mobile Safari/537.36",
}

# What is not a reader, by kind; each kind must be recognized by the maintained list.
NOT_BROWSERS = {
    "search crawler": [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com)",
    ],
    "uptime monitor": [
        "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
        "Better Uptime Bot Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/91.0.4472.124 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/98.0.4758.102 Safari/537.36 StatusCake",
    ],
    "feed fetcher": [
        "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 5 subscribers; like FeedFetcher-Google)",
        "Mozilla/5.0 (compatible; Inoreader/1.0; https://www.inoreader.com; 12 subscribers)",
        "Feedbin feed-id:1234 - 5 subscribers",
        "Mozilla/5.0 (compatible; Miniflux/2.1.0; +https://miniflux.app)",
        "Tiny Tiny RSS/22.08 (https://tt-rss.org/)",
    ],
    "link-preview bot": [
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Twitterbot/1.0",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "TelegramBot (like TwitterBot)",
        "WhatsApp/2.23.20.0",
    ],
    "HTTP library": [
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.31.0",
        "Go-http-client/1.1",
        "okhttp/4.12.0",
        "python-httpx/0.27.0",
        "Python-urllib/3.11",
        "Python/3.11 aiohttp/3.9.3",
    ],
    "headless browser": [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) "
        "PhantomJS/2.1.1 Safari/538.1",
    ],
    "no user agent at all": [""],
    "a user agent no browser sends (over 512 characters)": [BROWSER + " x" * 300],
}


@pytest.mark.parametrize("user_agent", BROWSERS.values(), ids=BROWSERS.keys())
def test_browsers_are_counted(client, post, user_agent):
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=user_agent)
    assert views_of(post) == 1


@pytest.mark.parametrize(
    "user_agent",
    [agent for agents in NOT_BROWSERS.values() for agent in agents],
    ids=[f"{kind}: {agent[:40]}" for kind, agents in NOT_BROWSERS.items() for agent in agents],
)
def test_crawlers_monitors_feed_readers_previews_and_tools_are_not_counted(
    client, post, user_agent
):
    response = client.get(post.get_absolute_url(), HTTP_USER_AGENT=user_agent)
    assert response.status_code == 200
    assert views_of(post) == 0
    assert COOKIE_NAME not in response.cookies


def test_head_requests_are_not_counted(client, post):
    for _ in range(3):
        assert client.head(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER).status_code == 200
    assert views_of(post) == 0
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert views_of(post) == 1


def test_the_page_shown_to_a_tool_still_has_the_current_count(client, post):
    Post.objects.filter(pk=post.pk).update(views=41)
    response = client.get(post.get_absolute_url(), HTTP_USER_AGENT="curl/8.5.0")
    assert "41位读者" in response.content.decode()


def test_every_pattern_of_the_pinned_list_is_read_by_re2():
    """An upgrade of the list that RE2 cannot read would silently drop patterns: fail here."""
    for agent in CRAWLER_USER_AGENTS_DATA:
        re2.compile(agent["pattern"])


def test_the_verdict_is_remembered_per_user_agent():
    readers._unlisted.cache_clear()
    assert readers.is_browser(BROWSER)
    assert readers.is_browser(BROWSER)
    assert readers._unlisted.cache_info().hits == 1


def test_the_verdict_cache_is_bounded():
    readers._unlisted.cache_clear()
    for number in range(readers.USER_AGENT_VERDICTS_CACHED + 10):
        readers.is_browser(f"{BROWSER} build/{number}")
    assert readers._unlisted.cache_info().currsize == readers.USER_AGENT_VERDICTS_CACHED


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


def synchronous_commit():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("async_commit", [True, False])
def test_only_the_counting_transaction_may_skip_the_wait_for_the_disk(
    client, author, category, settings, async_commit
):
    """The count commits without waiting for its WAL flush; no other write of the request does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_post

    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's (SQLite counts with plain statements)")
    settings.BLOG_VIEWS_ASYNC_COMMIT = async_commit
    post = make_post(author=author, category=category)
    with CaptureQueriesContext(connection) as captured:
        client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    (counting,) = [query["sql"] for query in captured if "UPDATE" in query["sql"]]
    assert ("set_config('synchronous_commit', 'off', true)" in counting) is async_commit
    assert views_of(post) == 1
    assert synchronous_commit() == "on"  # the setting ended with the counting transaction


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("async_commit", [True, False])
def test_the_counting_statement_itself_turns_off_the_wait_for_the_disk(
    author, category, settings, async_commit
):
    """Inside a transaction the setting outlives the statement, which shows it took effect."""
    from django.db import connection, transaction

    from blog.readers import increment_views
    from tests.factories import make_post

    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's (SQLite counts with plain statements)")
    settings.BLOG_VIEWS_ASYNC_COMMIT = async_commit
    post = make_post(author=author, category=category)
    with transaction.atomic():
        assert increment_views(post.pk) == 1
        assert synchronous_commit() == ("off" if async_commit else "on")
    assert synchronous_commit() == "on"


def test_the_database_keeps_the_counting_statement_prepared_on_each_connection(post):
    """Parsed and planned once per connection, not once per view: half the database's work."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's here (SQLite caches its own)")
    for views in range(1, 11):
        assert readers.increment_views(post.pk) == views
        assert Post.objects.get(pk=post.pk).views == views  # Django's own: bound in the client
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert len(prepared) == 1
    assert "blog_postdailyviews" in prepared[0]
    assert PostDailyViews.objects.get(post=post).views == 10


def test_prepared_statements_can_be_turned_off_for_a_pooler_in_transaction_mode(monkeypatch):
    from config.settings.base import database_from_url

    url = "postgres://blog@127.0.0.1:5432/blog"
    assert database_from_url(url)["OPTIONS"]["prepare_threshold"] == 5
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    assert database_from_url(url)["OPTIONS"]["prepare_threshold"] is None
