"""Redirects: old addresses answer 301 to the new place, never off-site, never in a loop."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from redirects.importing import RedirectCounts, add_redirects
from redirects.models import Redirect, normalize_old
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_an_old_path_redirects_only_when_nothing_else_answers_it(post):
    Redirect.objects.create(old_path="/2019/03/gradient/", new_path=post.get_absolute_url())
    Redirect.objects.create(old_path=post.get_absolute_url(), new_path="/content.html")
    client = Client()
    response = client.get("/2019/03/gradient")  # with or without the trailing slash
    assert (response.status_code, response["Location"]) == (301, post.get_absolute_url())
    assert client.get(post.get_absolute_url()).status_code == 200  # a live page is never hidden


def test_a_query_that_names_content_redirects_before_the_home_page(post):
    Redirect.objects.create(old_path="/?p=42", new_path=post.get_absolute_url())
    client = Client()
    response = client.get("/?p=42&utm_source=feed")
    assert (response.status_code, response["Location"]) == (301, post.get_absolute_url())
    assert client.get("/?p=43").status_code == 200
    assert client.get("/?utm_source=feed").status_code == 200
    assert client.head("/?p=42").status_code == 301


def test_old_addresses_are_stored_decoded_and_without_noise():
    assert normalize_old("https://old.example.org/2019/%E6%A2%AF%E5%BA%A6/") == "/2019/梯度/"
    assert normalize_old("/index.php?p=7&replytocom=3") == "/index.php?p=7"
    assert normalize_old("/?utm_source=x") == "/"
    assert normalize_old("") == ""


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "x"],
)
def test_a_redirect_off_the_site_is_refused(target):
    redirect = Redirect(old_path="/old/", new_path=target)
    with pytest.raises(ValidationError):
        redirect.full_clean()
    counts = RedirectCounts()
    add_redirects([("/old/", target)], note="test", counts=counts)
    assert counts.refused and not Redirect.objects.exists()


def test_a_redirect_that_would_loop_is_refused():
    Redirect.objects.create(old_path="/a/", new_path="/b/")
    Redirect.objects.create(old_path="/b/", new_path="/c/")
    loop = Redirect(old_path="/c/", new_path="/a/")
    with pytest.raises(ValidationError, match="循环"):
        loop.full_clean()
    with pytest.raises(ValidationError, match="循环"):
        Redirect(old_path="/?p=1", new_path="/?p=1").full_clean()
    counts = RedirectCounts()
    add_redirects([("/c/", "/a/")], note="test", counts=counts)
    assert len(counts.refused) == 1 and not Redirect.objects.filter(old_path="/c/").exists()


def test_the_author_sees_and_edits_redirects_in_the_admin(admin_client, post):
    response = admin_client.post(
        "/admin/redirects/redirect/add/",
        {"old_path": "https://old.example.org/archives/gradient.html", "new_path": "/archives/1"},
    )
    assert response.status_code == 302
    assert Redirect.objects.get().old_path == "/archives/gradient.html"
    response = admin_client.post(
        "/admin/redirects/redirect/add/", {"old_path": "/x/", "new_path": "https://evil.example/"}
    )
    assert response.status_code == 200 and "不能跳到其他网站" in response.content.decode()
    assert "gradient.html" in admin_client.get("/admin/redirects/redirect/").content.decode()


def test_adding_the_same_redirects_again_changes_nothing(author, category):
    post = make_post(author=author, category=category)
    pairs = [("/2019/03/a/", post.get_absolute_url()), ("/?p=9", post.get_absolute_url())]
    first, second = RedirectCounts(), RedirectCounts()
    add_redirects(pairs, note="test", counts=first)
    add_redirects(pairs, note="test", counts=second)
    assert (first.created, second.created, second.unchanged) == (2, 0, 2)
