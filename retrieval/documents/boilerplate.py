"""Generic detection of web boilerplate: sign-up boxes, footers, comment forms, reference lists.

Boilerplate is reported as character spans; the text itself is never rewritten. Detection works
on paragraphs (blocks between blank lines) and has two rules:

* a short paragraph matching a boilerplate phrase ("Follow us", "Leave a Reply", ...) or a
  reference-list entry that only repeats a title is boilerplate wherever it stands;
* a footer: from the first such paragraph in the second half of a document to the end, when
  what follows is mostly not prose (menus, bylines, product blurbs between them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.documents.markup.plain import paragraph_spans
from retrieval.types import Span

__all__ = ["BoilerplateRules", "detect_boilerplate"]

_PHRASES = re.compile(
    r"""
    newsletter | \bsubscribe\b | \bsign[ -]?up\b | \blog[ -]?in\b | forgot\ (your\ )?password
    | don[’']t\ have\ an\ account | create\ an\ account | check\ your\ email
    | ^most\ (popular|read|viewed) | ^latest\ (news|jobs|articles|stories|reviews|posts)
    | ^related\ (articles|stories|posts|content) | ^read\ more | ^recommended | ^trending
    | ^best\ deals | ^resources$ | ^advertisement | ^sponsored
    | ^follow\ us | ^share\ (this|on) | ^tags?\b | ^filed\ under | ^source\ link$
    | ^read\ in\ \w+$ | ^downloaded\ from | ^leave\ a\ (reply|comment)
    | email\ address\ will\ not\ be\ published | required\ fields\ are\ marked
    | ^post\ comment | ^\d+\ comments?$ | comments?\ or\ questions\ regarding\ this\ article
    | ^error: | image\ courtesy | ^(file\ )?photo\s*: | ^photo\ credit | all\ rights\ reserved
    | ^copyright\b | ^©
    """,
    re.IGNORECASE | re.VERBOSE,
)
# In files people write (Markdown, reStructuredText, Word), "Sign up for the exam by Friday." or
# "Error: permission denied means ..." is content: only legal lines count there.
_LEGAL = re.compile(r"all\ rights\ reserved | ^copyright\b | ^©", re.IGNORECASE | re.VERBOSE)
_MAX_PHRASE_PARAGRAPH = 200

_REFERENCE = re.compile(r"^\s*\[?\d{1,3}[.)\]]\s+\S")
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
_RETURN = re.compile(r"\[return to text\]", re.IGNORECASE)
# A reference entry that makes a claim of its own (a finite verb outside the quoted title) is
# a footnote with content, so it stays searchable.
_FINITE = re.compile(
    r"\b(is|was|were|are|has|have|had|been|will|would|can|could|did|does|do)\b", re.IGNORECASE
)
_YEAR = re.compile(r"\b(1[89]|20)\d\d\b")

_PROSE_MIN_WORDS = 12
_FOOTER_MAX_PROSE = 0.35


@dataclass(frozen=True, slots=True)
class BoilerplateRules:
    """Per-document overrides from the manifest."""

    detect: bool = True
    starts_at: str | None = None
    web: bool = True
    extra: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()


def _is_reference(block: str) -> bool:
    if not _REFERENCE.match(block):
        return False
    rest = _RETURN.sub("", _QUOTED.sub("", block))
    cites = bool(_RETURN.search(block) or _QUOTED.search(block) or _YEAR.search(block))
    return cites and not _FINITE.search(rest)


def _is_phrase(block: str, phrases: re.Pattern[str]) -> bool:
    return len(block) <= _MAX_PHRASE_PARAGRAPH and bool(phrases.search(block.strip()))


def _is_marker(block: str, phrases: re.Pattern[str]) -> bool:
    return _is_phrase(block, phrases) or _is_reference(block)


def _is_prose(block: str) -> bool:
    return len(block.split()) >= _PROSE_MIN_WORDS and block.rstrip()[-1:] in ".!?”\"'’)"


def _footer_start(
    blocks: Sequence[str], spans: Sequence[Span], length: int, phrases: re.Pattern[str]
) -> int | None:
    for i, block in enumerate(blocks):
        # Only web furniture opens a footer: notes with content may follow a reference list.
        if spans[i].start < length // 2 or not _is_phrase(block, phrases):
            continue
        tail = blocks[i:]
        prose = sum(1 for b in tail if _is_prose(b) and not _is_marker(b, phrases))
        if prose / len(tail) <= _FOOTER_MAX_PROSE:
            return i
    return None


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1].end:
            last = merged.pop()
            merged.append(Span(last.start, max(last.end, span.end)))
        else:
            merged.append(span)
    return tuple(merged)


def detect_boilerplate(text: str, rules: BoilerplateRules | None = None) -> tuple[Span, ...]:
    """Character spans of ``text`` that must never be indexed or cited."""
    rules = rules or BoilerplateRules()
    spans = list(paragraph_spans(text))
    blocks = [text[s.start : s.end] for s in spans]
    marked: list[Span] = []
    if rules.detect:
        phrases = _PHRASES if rules.web else _LEGAL
        marked += [s for s, b in zip(spans, blocks, strict=True) if _is_marker(b, phrases)]
        start = _footer_start(blocks, spans, len(text), phrases)
        if start is not None:
            marked.append(Span(spans[start].start, len(text)))
    if rules.starts_at and (at := text.find(rules.starts_at)) >= 0:
        marked.append(Span(at, len(text)))
    marked += [s for s, b in zip(spans, blocks, strict=True) if b.strip() in rules.extra]
    kept = {s for s, b in zip(spans, blocks, strict=True) if b.strip() in rules.keep}
    return _subtract(_merge(marked), kept)


def _subtract(spans: tuple[Span, ...], kept: set[Span]) -> tuple[Span, ...]:
    out = list(spans)
    for keep in sorted(kept):
        pieces: list[Span] = []
        for span in out:
            if span.overlap(keep) == 0:
                pieces.append(span)
                continue
            if span.start < keep.start:
                pieces.append(Span(span.start, keep.start))
            if keep.end < span.end:
                pieces.append(Span(keep.end, span.end))
        out = pieces
    return tuple(out)
