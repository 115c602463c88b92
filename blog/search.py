"""Search: the words stored for a post, the words of a query, the queries, and what to mark.

Words. Prose is split by jieba; formulas (`$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]`,
environments) by blog/texterms.py into terms such as `e^{-x^2}`, stored with a leading `$`.
So `a` the word and `a` the variable are different words: a one-letter query finds the
letter where it stands as a word in titles and prose, not in every formula or code block
with an `a` in it (one-letter names in code are not stored; `$a$` asks for the variable).
A post's words are stored as one document per field: the words in reading order, then ` | `,
then the finer pieces (sub-words of long Chinese words, terms inside formulas), which help a
post match but never form a phrase.

Queries. A post matches when it holds every word of the query. Matches rank: the query as a
phrase (its words in a row) in the title, the phrase anywhere, every word in the title, then
(on PostgreSQL) ts_rank, then the newest. PostgreSQL searches a GIN-indexed tsvector built
here from the same documents, position for position, so it matches exactly what SQLite's
substring tests on the documents match. A query that matches no word falls back to a
substring search of titles and bodies, for queries of MIN_SUBSTRING_QUERY characters or more.

Marking. Search pages mark the query's words in each result's title and excerpt, and flag the
excerpt's formulas that hold its formula terms: at request time, on the page being cached.
"""

import html
import os
import re
import tempfile
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import jieba
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core import mathjax

from .texterms import formula_terms

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise.
_jieba_lock = threading.Lock()

# jieba's full dictionary (350,000 words) costs each worker about 60 MB; the words seen
# at least this often (about 80,000, plus every single character) cost about 14 MB and
# segment technical Chinese almost the same, jieba's HMM covering the rarer words.
MIN_WORD_FREQUENCY = 20

# Longest query we look at; anything past it is noise and only slows segmentation.
MAX_QUERY_LENGTH = 100
# Shortest query searched for as a substring when it matches no word: `a` would match all.
MIN_SUBSTRING_QUERY = 3
# Longest word stored: longer runs (hashes, data) are never searched for.
MAX_WORD_LENGTH = 60
FORMULA = "$"  # what a formula term starts with in the index
BREAK = "|"  # between a document's reading-order words and its finer pieces

# PostgreSQL keeps positions up to 16383 and at most 256 of them per word.
_MAX_POSITION = 16383
_MAX_POSITIONS_PER_WORD = 256

_WORD = re.compile(r"\w", re.UNICODE)
# Code first, so a `$` in a shell line is not math; then the math delimiters of the renderer.
_SEGMENT = re.compile(
    r"(?P<code>^(?P<fence>`{3,}|~{3,})[^\n]*\n.*?^(?P=fence)[ \t]*$|`[^`\n]+`)"
    r"|(?<!\\)\$\$(?P<display>.+?)\$\$"
    r"|\\\[(?P<bracket>.+?)\\\]"
    r"|\\\((?P<paren>.+?)\\\)"
    r"|(?P<environment>\\begin\{(?P<name>[a-zA-Z]+\*?)\}.*?\\end\{(?P=name)\})"
    r"|(?<![\\$])\$(?P<inline>[^\s$](?:[^$\n]|\n(?![ \t]*\n))*?)(?<!\\)\$",
    re.S | re.M,
)
# In a query, formulas are delimited, or any run of non-space holding a TeX character.
_QUERY_MATH = re.compile(r"\$\$?(?P<dollars>[^$]+)\$\$?|\\\((?P<paren>.+?)\\\)")
_TEX_CHARACTER = re.compile(r"[\\^_{}]")
_CJK_RUN = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")


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


def _words(tokens):
    words = (token.strip().lower() for token in tokens)
    return [word for word in words if _WORD.search(word) and len(word) <= MAX_WORD_LENGTH]


def _terms(terms):
    return [FORMULA + term.lower() for term in terms]


# -- The words stored for a post ------------------------------------------------------------


def index_text(text):
    """Return the document stored for a title or body: its words in order, then finer pieces."""
    row, pieces = [], []
    with _jieba_lock:
        tokenizer = _tokenizer()
        for kind, content in _segments(_clean(text)):
            if kind == "math":
                terms = formula_terms(content)
                row += _terms(terms.row)
                pieces += _terms(dict.fromkeys(terms.inside))
                for words in terms.words:
                    pieces += _words(tokenizer.cut_for_search(words))
                continue
            coarse = _words(tokenizer.cut(content))
            fine = Counter(_words(tokenizer.cut_for_search(content)))
            if kind == "code":  # one-letter names in code are variables, like those of formulas
                coarse = [word for word in coarse if not _is_letter(word)]
                fine = Counter({word: n for word, n in fine.items() if not _is_letter(word)})
            row += coarse
            pieces += (fine - Counter(coarse)).elements()
    return document(row, pieces)


def _is_letter(word):
    return len(word) == 1 and word.isascii()


def _segments(text):
    """Yield (kind, text), kind "prose", "code" or "math", for the parts of Markdown, in order."""
    position = 0
    for match in _SEGMENT.finditer(text):
        yield "prose", text[position : match.start()]
        kind = match.lastgroup  # the outermost group: code, or one of the math delimiters
        yield "code" if kind == "code" else "math", match.group(kind)
        position = match.end()
    yield "prose", text[position:]


def document(row, pieces=()):
    """Join words so that a whole-word test is ` word ` and a phrase test ` one two `."""
    words = " ".join(row)
    if pieces:
        words += f" {BREAK} " + " ".join(pieces)
    return f" {words} " if words.strip() else ""


def tsvector(title_document, body_document):
    """The PostgreSQL tsvector of a post's documents: same words, same positions; title = A."""
    positions = defaultdict(list)
    position = 0
    for weight, words in (("A", title_document.split()), ("B", body_document.split())):
        for word in words:
            position += 1  # the break takes a position too, so no phrase spans it
            at = min(position, _MAX_POSITION)
            kept = positions[word] if word != BREAK else None
            if kept is not None and len(kept) < _MAX_POSITIONS_PER_WORD and at not in kept:
                kept.append((at, weight))
        position += 1  # nor a phrase from the title's end into the body
    return " ".join(
        f"{_lexeme(word)}:{','.join(f'{at}{weight}' for at, weight in spots)}"
        for word, spots in positions.items()
    )


def refresh_search_vectors(posts):
    """Rebuild the PostgreSQL tsvectors of these posts from their stored documents."""
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(posts.model._meta.db_table)
    rows = posts.order_by().values_list("pk", "search_title", "search_body").iterator(500)
    with connection.cursor() as cursor:
        batch = []
        for pk, title, body in rows:
            batch.append((tsvector(title, body), pk))
            if len(batch) == 500:
                _write_vectors(cursor, table, batch)
                batch = []
        _write_vectors(cursor, table, batch)


def _write_vectors(cursor, table, rows):
    if rows:
        cursor.executemany(f"UPDATE {table} SET search_vector = %s::tsvector WHERE id = %s", rows)


def _lexeme(word):
    """Quote a word for tsvector and tsquery input, taken as it is (no parser, no dictionary)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


# -- The words of a query ---------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    phrase: tuple[str, ...]  # every word and formula term, in the order typed
    prose: tuple[str, ...]  # what to mark in titles and excerpts: the chunks typed and words
    formulas: frozenset[str]  # formula terms to look for in an excerpt's formulas

    @property
    def words(self):
        return tuple(dict.fromkeys(self.phrase))


def normalize_query(query):
    """Return the query as shown and used in URLs: NULs dropped, spaces collapsed, trimmed."""
    return " ".join(_clean(query).replace("/", " ").split())[:MAX_QUERY_LENGTH]


@lru_cache(maxsize=256)
def parse_query(query):
    """Split a reader's query into its words and formula terms."""
    text = normalize_query(query)
    phrase, prose, formulas = [], [], set()
    with _jieba_lock:
        tokenizer = _tokenizer()
        for is_math, chunk in _query_chunks(text):
            if is_math:
                terms = [term.lower() for term in formula_terms(chunk).row]
                phrase += [FORMULA + term for term in terms]
                formulas.update(terms)
            else:
                words = _words(tokenizer.cut(chunk))
                phrase += words
                prose += [chunk.strip(), *words]
    return ParsedQuery(text, tuple(phrase), tuple(dict.fromkeys(prose)), frozenset(formulas))


def _query_chunks(text):
    """Yield (is_math, text): delimited formulas, and runs of non-space holding TeX characters."""
    position = 0
    for match in _QUERY_MATH.finditer(text):
        yield from _undelimited_chunks(text[position : match.start()])
        yield True, match.group("dollars") or match.group("paren")
        position = match.end()
    yield from _undelimited_chunks(text[position:])


def _undelimited_chunks(text):
    for chunk in _brace_balanced(text.split()):
        if not _TEX_CHARACTER.search(chunk):
            yield False, chunk
            continue
        # `x_i的期望`: the Chinese is words, the rest a formula.
        position = 0
        for run in _CJK_RUN.finditer(chunk):
            if run.start() > position:
                yield True, chunk[position : run.start()]
            yield False, run.group(0)
            position = run.end()
        if position < len(chunk):
            yield True, chunk[position:]


def _brace_balanced(chunks):
    """Join space-separated chunks back while a brace is open: `e^{- x^2}` is one formula."""
    pending, depth = [], 0
    for chunk in chunks:
        pending.append(chunk)
        depth += chunk.count("{") - chunk.count("}")
        if depth <= 0:
            yield " ".join(pending)
            pending, depth = [], 0
    if pending:
        yield " ".join(pending)


# -- The queries ----------------------------------------------------------------------------


def search_posts(posts, query):
    """Rank posts holding every word of the query (see the module docstring); else substrings."""
    parsed = parse_query(query)
    if not parsed.text:
        return posts.none()
    if parsed.phrase:
        matches = _ranked_matches(posts, parsed)
        if matches.exists():
            return matches
    if len(parsed.text) < MIN_SUBSTRING_QUERY:
        return posts.none()
    return posts.filter(Q(title__icontains=parsed.text) | Q(body__icontains=parsed.text)).order_by(
        "-published_at", "-id"
    )


def _ranked_matches(posts, parsed):
    words, phrase = parsed.words, parsed.phrase
    if connection.vendor == "postgresql":
        every_word = _tsquery(words, " & ")
        return (
            posts.filter(search_vector=every_word)
            .annotate(
                phrase_in_title=_holds(_tsquery(phrase, " <-> ", weight="A")),
                phrase_anywhere=_holds(_tsquery(phrase, " <-> ")),
                words_in_title=_holds(_tsquery(words, " & ", weight="A")),
                rank=SearchRank(F("search_vector"), every_word),
            )
            .order_by(
                "-phrase_in_title",
                "-phrase_anywhere",
                "-words_in_title",
                "-rank",
                "-published_at",
                "-id",
            )
        )
    # SQLite (development): substring tests on the same documents.
    every_word, words_in_title = Q(), Q()
    for word in words:
        every_word &= _contains("search_title", [word]) | _contains("search_body", [word])
        words_in_title &= _contains("search_title", [word])
    phrase_in_title = _contains("search_title", phrase)
    return (
        posts.filter(every_word)
        .annotate(
            phrase_in_title=_flag(phrase_in_title),
            phrase_anywhere=_flag(phrase_in_title | _contains("search_body", phrase)),
            words_in_title=_flag(words_in_title),
        )
        .order_by("-phrase_in_title", "-phrase_anywhere", "-words_in_title", "-published_at", "-id")
    )


class _TsQuery(SearchQuery):
    """A query written in tsquery syntax, its words taken as they are (no parser, no dictionary)."""

    template = "(%(expressions)s)::tsquery"


def _tsquery(words, operator, weight=""):
    """A tsquery of these words, optionally only in one weight (A = the title)."""
    return _TsQuery(
        operator.join(_lexeme(word) + (f":{weight}" if weight else "") for word in words)
    )


def _holds(tsquery):
    return ExpressionWrapper(Q(search_vector=tsquery), output_field=BooleanField())


def _contains(field, words):
    # Documents are lowercase, so SQLite's case-insensitive LIKE changes nothing.
    return Q(**{f"{field}__contains": document(words)})


def _flag(condition):
    return Case(When(condition, then=Value(1)), default=Value(0))


# -- Marking what matched -------------------------------------------------------------------

_TAG = re.compile(r"(<[^>]*>)")
_MATH_DELIMITERS = re.compile(r"^\s*(?:\\\(|\\\[|\$\$?)?(.*?)(?:\\\)|\\\]|\$\$?)?\s*$", re.S)
_ASCII_WORD = re.compile(r"[0-9A-Za-z]")


class Highlighter:
    """Mark a query's words in result titles and excerpts, and flag the formulas it matched."""

    def __init__(self, query):
        parsed = parse_query(query)
        self.formulas = parsed.formulas
        words = sorted({word for word in parsed.prose if word}, key=len, reverse=True)
        self.words = re.compile("|".join(map(_word_pattern, words)), re.I) if words else None

    def title(self, title: str) -> SafeString:
        """The title as HTML, matched words in <mark>, everything else escaped."""
        return mark_safe(self._mark(title))

    def excerpt(self, excerpt_html: str) -> SafeString:
        """The excerpt's HTML with matched words in <mark> and matched formulas flagged."""
        pieces, position = [], 0
        for math in mathjax.MATH_WRAPPER.finditer(excerpt_html):
            pieces.append(self._mark_html(excerpt_html[position : math.start()]))
            opening = math.group(1)
            if self._formula_matches(mathjax.tex_of(math.group(3))):
                opening = opening.replace('class="arithmatex"', 'class="arithmatex search-hit"', 1)
            pieces.append(opening + math.group(3) + math.group(4))
            position = math.end()
        pieces.append(self._mark_html(excerpt_html[position:]))
        return mark_safe("".join(pieces))

    def _mark_html(self, fragment):
        """Mark words in the text between the tags of a fragment holding no formula."""
        parts = _TAG.split(fragment)
        for index in range(0, len(parts), 2):
            if parts[index]:
                parts[index] = self._mark(html.unescape(parts[index]))
        return "".join(parts)

    def _mark(self, text):
        if self.words is None:
            return escape(text)
        marked, end = [], 0
        for start, stop in _merged(match.span() for match in self.words.finditer(text)):
            marked.append(escape(text[end:start]))
            marked.append(f"<mark>{escape(text[start:stop])}</mark>")
            end = stop
        marked.append(escape(text[end:]))
        return "".join(marked)

    def _formula_matches(self, tex):
        if not self.formulas:
            return False
        terms = formula_terms(_MATH_DELIMITERS.match(tex).group(1))
        found = {term.lower() for term in (*terms.row, *terms.inside)}
        return self.formulas <= found


def _word_pattern(word):
    """A pattern for a word; a Latin word or number only where it stands whole."""
    pattern = re.escape(word)
    if _ASCII_WORD.match(word[0]):
        pattern = r"(?<![0-9A-Za-z])" + pattern
    if _ASCII_WORD.match(word[-1]):
        pattern += r"(?![0-9A-Za-z])"
    return pattern


def _merged(spans):
    """Join matches that touch (梯度|下降) into one span."""
    merged = []
    for start, stop in spans:
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], stop)
        else:
            merged.append((start, stop))
    return merged
