"""Chinese-aware search: jieba splits text into words, Postgres full-text search indexes them.

Everything about search is here: the words stored for a post, the words of a query, and the
queries that match and rank posts (PostQuerySet.search() and refresh_search_vectors() call in).
"""

import os
import re
import tempfile
import threading
from functools import cache
from pathlib import Path

import jieba
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, Value, When

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise.
_jieba_lock = threading.Lock()

# jieba's full dictionary (350,000 words) costs each worker about 60 MB; the words seen
# at least this often (about 80,000, plus every single character) cost about 14 MB and
# segment technical Chinese almost the same, jieba's HMM covering the rarer words.
MIN_WORD_FREQUENCY = 20

# Longest query we look at; anything past it is noise and only slows segmentation.
MAX_QUERY_LENGTH = 100
_WORD = re.compile(r"\w", re.UNICODE)


@cache
def _tokenizer():
    """A jieba tokenizer on the trimmed dictionary, written to DATA_DIR on first use."""
    directory = Path(settings.DATA_DIR) / "jieba"
    directory.mkdir(parents=True, exist_ok=True)
    dictionary = directory / f"dict-min{MIN_WORD_FREQUENCY}.txt"
    if not dictionary.exists():
        full = Path(jieba.__file__).with_name("dict.txt")
        with (
            open(full, encoding="utf-8") as source,
            tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=directory, delete=False
            ) as trimmed,
        ):
            for line in source:
                word, frequency, *_ = line.split()
                if int(frequency) >= MIN_WORD_FREQUENCY or len(word) == 1:
                    trimmed.write(line)
        os.replace(trimmed.name, dictionary)  # atomic: several workers may race here
    tokenizer = jieba.Tokenizer(dictionary=str(dictionary))
    tokenizer.tmp_dir = str(directory)
    return tokenizer


def _clean(text):
    return (text or "").replace("\x00", " ")


def index_words(text):
    """Split text into the lowercase words stored in the search index (fine-grained, for recall)."""
    with _jieba_lock:
        tokens = _tokenizer().cut_for_search(_clean(text))
        return [t.lower() for t in tokens if _WORD.search(t)]


def query_words(query):
    """Split a reader's query into distinct lowercase words, in order."""
    query = _clean(query)[:MAX_QUERY_LENGTH]
    with _jieba_lock:
        tokens = _tokenizer().cut(query)
        words = [t.strip().lower() for t in tokens if _WORD.search(t)]
    return list(dict.fromkeys(words))


def normalize_query(query):
    """Return the query as shown and used in URLs: NULs dropped, spaces collapsed, trimmed."""
    return " ".join(_clean(query).replace("/", " ").split())[:MAX_QUERY_LENGTH]


def document(words):
    """Join index words so that a whole-word substring test is ` word ` in the document."""
    return " " + " ".join(words) + " " if words else ""


def search_posts(posts, query):
    """Rank posts matching every word of the query, title hits first; else a substring match."""
    query = normalize_query(query)
    if not query:
        return posts.none()
    words = query_words(query)
    if words:
        matches = _posts_with_words(posts, words)
        if matches.exists():
            return matches
    return posts.filter(Q(title__icontains=query) | Q(body__icontains=query)).order_by(
        "-published_at", "-id"
    )


def _posts_with_words(posts, words):
    if connection.vendor == "postgresql":
        every_word = _tsquery(words)
        in_title = _tsquery(words, weight="A")
        return (
            posts.filter(search_vector=every_word)
            .annotate(
                title_hit=ExpressionWrapper(Q(search_vector=in_title), output_field=BooleanField()),
                rank=SearchRank(F("search_vector"), every_word),
            )
            .order_by("-title_hit", "-rank", "-published_at", "-id")
        )
    # SQLite (development): whole-word substring tests on the stored word lists.
    in_title = Q()
    in_either = Q()
    for word in words:
        token = document([word])
        in_title &= Q(search_title__contains=token)
        in_either &= Q(search_title__contains=token) | Q(search_body__contains=token)
    return (
        posts.filter(in_either)
        .annotate(title_hit=Case(When(in_title, then=Value(1)), default=Value(0)))
        .order_by("-title_hit", "-published_at", "-id")
    )


def _tsquery(words, weight=""):
    """A raw tsquery asking for every word, optionally only in one weight (A = the title)."""
    terms = []
    for word in words:
        quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
        terms.append(f"{quoted}:{weight}" if weight else quoted)
    return SearchQuery(" & ".join(terms), config="simple", search_type="raw")


def refresh_search_vectors(posts):
    """Rebuild the Postgres full-text vectors of these posts from their stored words."""
    if connection.vendor != "postgresql":
        return
    ids = list(posts.values_list("pk", flat=True))
    if not ids:
        return
    table = connection.ops.quote_name(posts.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET search_vector = "
            "setweight(to_tsvector('simple', search_title), 'A') || "
            "setweight(to_tsvector('simple', search_body), 'B') "
            "WHERE id = ANY(%s)",
            [ids],
        )
