"""Search terms of a TeX formula: what `e^{-x^2}` is made of, spelt the same however it was typed.

A formula reads as a row of terms: an atom (a letter, a number, a symbol, a command with its
braced arguments, a group) with its sub- and superscripts. `\\int_{-\\infty}^{\\infty}
e^{-x^{2}}\\,dx` is the row `\\int_{-\\infty}^\\infty`, `e^{-x^2}`, `d`, `x`. Spacing and sizing
commands and redundant braces are dropped, so `x^{2}` and `x^2` are one term. Everything
inside a term is a term too (`x^2`, `x`, `2` inside `e^{-x^2}`), so a search for a piece of a
formula finds the whole.
"""

import re
from dataclasses import dataclass, field

# Longest term worth keeping: longer ones are whole equations nobody types into a search box;
# their pieces are still kept.
MAX_TERM_LENGTH = 60

_TOKEN = re.compile(
    r"\\(?P<command>[a-zA-Z]+)\*?"
    r"|\\(?P<escaped>.)"
    r"|(?P<number>[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<space>\s+)"
    r"|(?P<char>.)",
    re.S,
)

# Commands that change how a formula looks, not what it says.
_IGNORED_COMMANDS = frozenset(
    (
        *("left", "right", "middle", "big", "Big", "bigg", "Bigg"),
        *("bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl", "Biggr"),
        *("quad", "qquad", "displaystyle", "textstyle", "scriptstyle"),
        *("limits", "nolimits", "nonumber", "notag", "hspace", "vspace", "phantom", "hfill"),
    )
)
# Commands whose argument is a name, not mathematics (\label{eq:gauss}).
_NAME_COMMANDS = frozenset(["label", "tag", "ref", "eqref", "begin", "end"])
# Commands whose argument is words: indexed as words too (\operatorname{softmax}).
_TEXT_COMMANDS = frozenset(["text", "textrm", "textit", "textbf", "mbox", "operatorname", "mathrm"])
_IGNORED_ESCAPES = frozenset(",;:! \\")


@dataclass
class FormulaTerms:
    """The terms of one formula: its row (in order) and everything inside (any order)."""

    row: list[str] = field(default_factory=list)
    inside: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # command names and text, for word search


def formula_terms(tex: str) -> FormulaTerms:
    """Split a formula's TeX (without its $ delimiters) into search terms."""
    return _Reader(tex).read()


class _Reader:
    def __init__(self, tex):
        self.tex = tex
        self.tokens = [match for match in _TOKEN.finditer(tex) if not match.group("space")]
        self.position = 0
        self.terms = FormulaTerms()

    def read(self):
        while self.position < len(self.tokens):
            term = self.term(top=True)
            if term is not None and len(term) <= MAX_TERM_LENGTH:
                self.terms.row.append(term)
        return self.terms

    def peek(self):
        if self.position < len(self.tokens):
            token = self.tokens[self.position]
            return token.group("char") or token.group(0)
        return None

    def term(self, top=False):
        """An atom with its scripts; None for nothing (ignored commands, stray braces)."""
        base = self.atom()
        if base is None:
            return None
        scripts = ""
        while self.peek() in ("^", "_", "'"):
            mark = self.tokens[self.position].group(0)
            self.position += 1
            if mark == "'":
                scripts += mark
                continue
            argument = self.atom() or ""
            scripts += mark + argument
            self.remember(argument)
        if scripts:
            self.remember(base)
        term = base + scripts
        if not top:
            self.remember(term)
        return term

    def atom(self):
        while self.position < len(self.tokens):
            token = self.tokens[self.position]
            self.position += 1
            if token.group("command"):
                atom = self.command(token.group("command"))
            elif token.group("escaped") is not None:
                escaped = token.group("escaped")
                atom = None if escaped in _IGNORED_ESCAPES else "\\" + escaped
            elif token.group("char") == "{":
                atom = self.group()
            elif token.group("char") in ("}", "&", "~", "^", "_"):
                atom = None  # stray or alignment marks: nothing to find
            else:
                atom = token.group(0)
            if atom:
                return atom
        return None

    def group(self):
        """The terms up to the matching brace, as one atom; braces around a single term dropped."""
        inner = []
        while self.position < len(self.tokens) and self.peek() != "}":
            term = self.term()
            if term is not None:
                inner.append(term)
        self.position += 1  # the closing brace (or the end of an unclosed group)
        if len(inner) == 1:
            return inner[0]
        return "{" + "".join(inner) + "}" if inner else None

    def command(self, name):
        if name in _IGNORED_COMMANDS:
            return None
        if name in _NAME_COMMANDS:
            self.raw_group()
            return None
        if name in _TEXT_COMMANDS:
            text = self.raw_group()
            self.terms.words.append(text)
            return f"\\{name}{{{''.join(text.split())}}}"
        if len(name) > 1:
            self.terms.words.append(name)
        atom = "\\" + name
        while self.peek() == "{":
            self.position += 1
            argument = self.group() or ""
            atom += argument if argument.startswith("{") else "{" + argument + "}"
        return atom

    def raw_group(self):
        """The source text of a braced argument, as it was typed."""
        if self.peek() != "{":
            return ""
        start = self.tokens[self.position].end()
        depth, end = 0, len(self.tex)
        while self.position < len(self.tokens):
            token = self.tokens[self.position]
            self.position += 1
            depth += {"{": 1, "}": -1}.get(token.group("char"), 0)
            if depth == 0:
                end = token.start()
                break
        return self.tex[start:end]

    def remember(self, term):
        if term and not term.startswith("{") and len(term) <= MAX_TERM_LENGTH:
            self.terms.inside.append(term)
