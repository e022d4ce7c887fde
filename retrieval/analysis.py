"""The BM25 analyzer: one pipeline for documents and queries.

normalise (NFKC, casefold) → tokenize (words, numbers, money) → drop stopwords → Snowball stem.
Tokens keep their character spans in the original text so excerpts can highlight them.

A word hyphenated across a line break ("cli-" + newline + "mate") or with a soft hyphen (U+00AD)
is one token. Chinese, Japanese and Korean runs (Han, Kana, Hangul), written without spaces,
become overlapping character bigrams, as Lucene's CJK analyzer makes them ("量子力学" → 量子,
子力, 力学; a lone character is its own term); Latin-script analysis is unaffected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import Stemmer

from retrieval.types import Span

__all__ = ["Analyzer", "Token"]

_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff"
_LETTER = rf"[^\W_{_CJK}]"
_TOKEN = re.compile(
    rf"""(?P<cjk>[{_CJK}]+)                     # a CJK run: split into bigrams below
      | \$\d+(?:[.,]\d+)*                       # money: $82, $1,300, $13.50
      | (?:(?:[A-Z]\.){{2,}}                      # dotted acronyms: U.S., U.N.
          | \d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?        # grouped numbers: 20,000
          | \d+\.\d+                              # decimals: 2.5
        )(?!{_LETTER})                           # ... none glued to a following letter
      | {_LETTER}(?:{_LETTER}|[{_MARKS}]          # words, codes and numbers: 2017 MT6737 3G
          | \u00ad(?={_LETTER})                  # a soft hyphen inside a word
          | -[ \t]*(?:\r\n|\r|\n)[ \t]*(?=[a-z]) # a word hyphenated across a line break
        )*
    """,
    re.VERBOSE,
)
# re's compiler walks every character of a range, so each use of the CJK ranges above costs about
# 1.5 ms at import: the acronym and number alternatives share one "not glued to a letter" check.
_JOINS = re.compile(r"\u00ad|-[ \t]*(?:\r\n|\r|\n)[ \t]*")
# Interrogative phrases whose words carry no topic: "how much money" is about money.
_QUESTION_FRAME = re.compile(
    r"\bhow\s+(?:much|many|long|often|far|old|large|big)\b"
    r"|\bwhat\s+(?:kinds?|sorts?|types?)\s+of\b",
    re.IGNORECASE,
)
_QUANTITY_QUESTION = re.compile(
    r"\bhow\s+(?:much|many)\b|\bwhat\s+(?:percentage|share|number|amount|price)\b", re.IGNORECASE
)
_NUMBER_WORDS = (
    *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"),
    *("twelve", "dozen", "hundred", "thousand", "million", "billion", "trillion", "percent"),
    *("half", "quarter", "third"),
)


def _word_list(name: str) -> frozenset[str]:
    """A word list shipped in ``retrieval/data``: one word a line, ``#`` starts a comment."""
    text = resources.files("retrieval").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if (w := line.strip()) and w[0] != "#")


# NLTK's English list: short enough to keep content words like "system" or "million".
# Extended with the pronoun "us" (so that "US" the acronym stands out) and modals it lacks.
STOPWORDS = _word_list("stopwords_en.txt") | {"us", "would", "could", "also"}


@dataclass(frozen=True, slots=True)
class Token:
    term: str
    start: int
    end: int


def _normalise(raw: str) -> str:
    word = unicodedata.normalize("NFKC", _JOINS.sub("", raw)).casefold()
    if word[0] == "$" or word[0].isdigit():
        return word.replace(",", "")
    return word.replace(".", "")


def _is_acronym(raw: str) -> bool:
    """Capitals like US, IT or U.S. that must not be mistaken for the stopwords "us", "it"."""
    letters = raw.replace(".", "")
    return 2 <= len(letters) <= 5 and letters.isalpha() and letters.isupper()


def _bigrams(run: str, start: int) -> Iterator[tuple[str, int, int]]:
    if len(run) == 1:
        yield run, start, start + 1
    for i in range(len(run) - 1):
        yield run[i : i + 2], start + i, start + i + 2


def _shouting(text: str, start: int, end: int) -> bool:
    """All-caps text, where capitals say nothing about acronyms."""
    piece = text[start:end]
    upper = sum(map(str.isupper, piece))
    return upper > 0 and upper >= sum(map(str.islower, piece))


class Analyzer:
    """Turns text into BM25 terms; identical for documents and queries."""

    def __init__(self, *, stem: bool = True, stopwords: bool = True) -> None:
        self.stem = stem
        self.stopwords = stopwords
        self._stemmer = Stemmer.Stemmer("english")
        self._term = lru_cache(maxsize=200_000)(self._term_uncached)
        self._number_terms = frozenset(self._term_uncached(w, False) or w for w in _NUMBER_WORDS)

    def __repr__(self) -> str:
        return f"Analyzer(stem={self.stem}, stopwords={self.stopwords})"

    def _term_uncached(self, raw: str, acronyms: bool) -> str | None:
        word = _normalise(raw)
        if self.stopwords and word in STOPWORDS and not (acronyms and _is_acronym(raw)):
            return None
        if self.stem and word.isalpha():
            return str(self._stemmer.stemWord(word))
        return word

    def tokens(self, text: str, start: int = 0, end: int | None = None) -> Iterator[Token]:
        """Analyzed tokens of ``text[start:end]`` with their spans in ``text``."""
        for term, at, stop in self._spans(text, start, len(text) if end is None else end):
            yield Token(term, at, stop)

    def _spans(self, text: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
        """:meth:`tokens` as (term, start, end) tuples."""
        acronyms = not _shouting(text, start, end)
        for match in _TOKEN.finditer(text, start, end):
            if match.group("cjk"):
                yield from _bigrams(match.group(), match.start())
                continue
            term = self._term(match.group(), acronyms)
            if term:
                yield term, match.start(), match.end()

    def expects_quantity(self, question: str) -> bool:
        """Whether the question asks for a number ("how many", "how much", "what share")."""
        return bool(_QUANTITY_QUESTION.search(question))

    def is_quantity(self, term: str) -> bool:
        return term[0].isdigit() or term[0] == "$" or term in self._number_terms

    def terms(self, text: str) -> list[str]:
        return [term for term, _, _ in self._spans(text, 0, len(text))]

    def span_terms(self, text: str, spans: Iterable[Span]) -> list[str]:
        """Terms of the given stretches of ``text``, in order."""
        return [t.term for s in spans for t in self.tokens(text, s.start, s.end)]

    def query_terms(self, question: str, *, drop_frame: bool = True) -> list[str]:
        """Terms of a question; with ``drop_frame``, without the words of its interrogative
        frame ("how much money" is about money)."""
        text = _QUESTION_FRAME.sub(" ", question) if drop_frame else question
        return self.terms(text)
