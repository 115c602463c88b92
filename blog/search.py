"""Chinese-aware search: jieba splits text into words, Postgres full-text search indexes them."""

import re
import threading

import jieba

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise.
_jieba_lock = threading.Lock()

# Longest query we look at; anything past it is noise and only slows segmentation.
MAX_QUERY_LENGTH = 100
_WORD = re.compile(r"\w", re.UNICODE)


def _clean(text):
    return (text or "").replace("\x00", " ")


def index_words(text):
    """Split text into the lowercase words stored in the search index (fine-grained, for recall)."""
    with _jieba_lock:
        tokens = jieba.cut_for_search(_clean(text))
        return [t.lower() for t in tokens if _WORD.search(t)]


def query_words(query):
    """Split a reader's query into distinct lowercase words, in order."""
    query = _clean(query)[:MAX_QUERY_LENGTH]
    with _jieba_lock:
        tokens = jieba.cut(query)
        words = [t.strip().lower() for t in tokens if _WORD.search(t)]
    return list(dict.fromkeys(words))


def normalize_query(query):
    """Return the query as shown and used in URLs: NULs dropped, spaces collapsed, trimmed."""
    return " ".join(_clean(query).replace("/", " ").split())[:MAX_QUERY_LENGTH]


def document(words):
    """Join index words so that a whole-word substring test is ` word ` in the document."""
    return " " + " ".join(words) + " " if words else ""
