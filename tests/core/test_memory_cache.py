"""The page cache keeps pages as objects: a hit costs a lookup, not an unpickling of the page."""

import pytest
from django.core.cache import caches

from core.memorycache import ObjectMemoryCache


@pytest.fixture
def cache():
    store = ObjectMemoryCache("test-objects", {"OPTIONS": {"MAX_ENTRIES": 3}})
    yield store
    store.clear()


class Unpicklable:
    def __reduce__(self):
        raise AssertionError("the cache pickled a value")


def test_get_returns_the_stored_object_itself(cache):
    page = Unpicklable()
    cache.set("page", page)
    assert cache.get("page") is page


def test_add_stores_only_when_absent(cache):
    first, second = object(), object()
    assert cache.add("page", first) is True
    assert cache.add("page", second) is False
    assert cache.get("page") is first


def test_expired_entries_are_gone(cache):
    cache.set("page", "html", timeout=-1)
    assert cache.get("page", "missing") == "missing"
    assert not cache.has_key("page")


def test_incr_adds_to_the_stored_number(cache):
    cache.set("hits", 2)
    assert cache.incr("hits", 3) == 5
    assert cache.get("hits") == 5
    with pytest.raises(ValueError):
        cache.incr("unknown")


def test_entries_beyond_the_limit_are_culled(cache):
    for number in range(5):
        cache.set(f"page-{number}", number)
    assert sum(cache.has_key(f"page-{number}") for number in range(5)) <= 3


def test_the_page_cache_uses_it():
    assert isinstance(caches["pages"], ObjectMemoryCache)
