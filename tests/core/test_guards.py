"""The hostile-input guard: NUL bytes and ids past 64 bits never reach a view or a query."""

import pytest
from django.http import Http404

from core.guards import as_id

BIG_IDS = [str(2**63), str(2**64), "1" + "0" * 40]


@pytest.mark.parametrize("number", BIG_IDS)
@pytest.mark.parametrize("method", ["get", "head"])
def test_a_post_id_past_64_bits_is_not_found(client, post, number, method):
    assert getattr(client, method)(f"/archives/{number}").status_code == 404


@pytest.mark.parametrize("method", ["get", "head"])
def test_the_largest_64_bit_id_is_an_ordinary_missing_post(client, post, method):
    assert getattr(client, method)(f"/archives/{2**63 - 1}").status_code == 404


NUL_PATHS = ["/category/%00/", "/category/1%00/", "/category/%00/2/", "/tag/%00/", "/tag/1%00/"]


@pytest.mark.parametrize("url", [*NUL_PATHS, "/search/%00/", "/archives/1%00", "/no-such-page%00/"])
def test_a_nul_byte_in_the_path_is_refused_before_any_query(
    client, post, url, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_byte_in_the_query_string_is_refused(client, post):
    assert client.get("/search/?q=a%00b").status_code == 400


def test_a_nul_byte_in_a_posted_form_is_refused(client, post):
    response = client.post(
        f"/archives/{post.pk}/comment",
        "body=a%00b&author_name=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_a_nul_byte_in_a_header_is_refused(client, post):
    assert client.get("/", HTTP_USER_AGENT="Mozilla\x00").status_code == 400


def test_an_escaped_percent_sign_is_not_a_nul(client, post):
    response = client.get("/search/%2500/")
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/9999/12/", "/0001/01/", "/9999/12/2/", "/0001/01/2/"])
def test_months_at_the_edges_of_the_calendar_are_not_found(client, post, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("keywords", ["%20", "%0d%0a", "%09%20%0b", "%E3%80%80"])
def test_search_keywords_that_normalize_to_nothing_lead_to_the_search_page(client, db, keywords):
    response = client.get(f"/search/{keywords}/")
    assert response.status_code == 302
    assert response["Location"] == "/search/"


@pytest.mark.parametrize("text", ["0", "42", str(2**63 - 1)])
def test_as_id_reads_an_id(text):
    assert as_id(text) == int(text)


@pytest.mark.parametrize("text", ["", "x", "-1", "1.5", "٣", str(2**63), "9" * 5000])
def test_as_id_answers_404_to_anything_else(text):
    with pytest.raises(Http404):
        as_id(text)
