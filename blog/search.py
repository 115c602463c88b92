"""Chinese-aware search: jieba splits text into words, Postgres full-text search indexes them."""

import os
import re
import tempfile
import threading
from functools import cache
from pathlib import Path

import jieba
from django.conf import settings

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
