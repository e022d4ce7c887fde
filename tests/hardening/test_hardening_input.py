"""Hostile and odd text through analysis, chunking, excerpts and rendering (hypothesis).

tests/retrieval/test_hostile_text.py checks that search never raises and its offsets are
valid; these go further down the pipeline: tokens and chunks are exact slices, highlighted
excerpts render as the text they quote (bold on query words, everything else literal), and
every message built from a real search stays within Discord's limits and pings nobody.
"""

from __future__ import annotations

import re

import pytest
from hardening_support import MASKED_LINK, rendered
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.ui.buttons import answer_reply
from bot.ui.discord_markdown import excerpt_markdown
from bot.ui.embeds import (
    MAX_CONTENT,
    MAX_DESCRIPTION,
    MAX_FIELD_NAME,
    MAX_FIELD_VALUE,
    MAX_FOOTER,
    MAX_TITLE,
    MAX_TOTAL,
    answer_embed,
    content,
    page_count,
    passage_embed,
)
from retrieval import MAX_QUESTION_CHARS, EngineOptions, QueryError, SearchEngine, parse_document
from retrieval.analysis import Analyzer
from retrieval.documents.chunking import chunk_document, indexable_spans

ATOMS = [
    "👩‍👩‍👧‍👦", "🏳️‍🌈", "🇰🇵", "e\u0301", "a\u0308\u0323", "\u200b", "\u200d", "\u2066", "\u202e",
    "\ufeff", "שלום עולם", "مرحبا بالعالم", "\x00", "\x07", "\x1b[31m", "\r\n", "\u2028",
    "\ud800", "\udfff", "**", "__", "*", "_", "~~", "`", "```", "||", "# ", "## ", "> ", ">>> ",
    "- ", "-# ", "\\", "[x](https://evil.example)", "<https://a.b>", "discord.gg/abc",
    "https://discord.com/invite/xyz", "@everyone", "@here", "<@123456789012345678>",
    "<@!123456789012345678>", "<@&123456789012345678>", "<#123456789012345678>", " ", "\n",
    "\n\n", ".", "?", "$5", "5million", "river", "Rivers", "dam", "floods", "U.S.", "20,000",
]  # fmt: skip
TEXT = st.lists(st.one_of(st.sampled_from(ATOMS), st.text(max_size=6)), max_size=150).map("".join)
WORDS = ("river", "dam", "floods", "million", "$5", "spring", "U.S.")
QUESTION = st.lists(st.one_of(st.sampled_from(WORDS), TEXT), min_size=1, max_size=8).map(" ".join)
WORD_BOUNDARIES = Analyzer(stem=False, stopwords=False)  # every word, as the engine splits them
OPTIONS = EngineOptions(chunk_tokens=24, overlap_tokens=8)  # small chunks: many boundaries
PINGS = re.compile(r"@(everyone|here)|<@[!&]?\d{17,20}>")
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(text=TEXT)
def test_tokens_are_exact_ordered_slices(text: str) -> None:
    previous_end = 0
    for token in Analyzer().tokens(text):
        assert previous_end <= token.start < token.end <= len(text)
        assert not any(char.isspace() for char in text[token.start : token.end])
        previous_end = token.end


@FAST
@given(text=TEXT)
def test_chunks_are_exact_slices_of_the_indexable_text(text: str) -> None:
    doc = parse_document("odd.txt", text)
    regions = indexable_spans(doc)
    for n, chunk in enumerate(chunk_document(doc, 24, 8)):
        assert chunk.chunk_id == n
        assert chunk.text == text[chunk.start : chunk.end]
        assert any(r.start <= chunk.start < chunk.end <= r.end for r in regions)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=st.lists(TEXT, min_size=1, max_size=3), question=QUESTION)
@example(docs=["The dam cost $5million."], question="$5 million dam")  # was **$5****million**
@example(docs=["$5https://discord.com/invite/xyz"], question="[x](https://evil.example)$5")
@example(docs=["https://discord.com/invite/xyz_0"], question="[x](https://evil.example)")
@example(
    docs=["**river** __dam__ ||floods|| `spring` [x](y)\n# river\n> dam"], question="river dam"
)
def test_highlighted_excerpts_render_the_quoted_text(docs: list[str], question: str) -> None:
    engine = SearchEngine.build(
        (parse_document(f"{i}.txt", t) for i, t in enumerate(docs)), OPTIONS
    )
    try:
        result = engine.search(question, k=5)
    except QueryError:
        return
    for hit in result.hits:
        text, runs = rendered(excerpt_markdown(hit.excerpt))
        assert text == hit.excerpt.text  # literal: every character of the document, no more
        words = {(w.start, w.end) for w in WORD_BOUNDARIES.tokens(text)}
        for start, end in runs:  # bold: whole words, nothing else
            assert any(s == start for s, _ in words), (
                text[start:end],
                excerpt_markdown(hit.excerpt),
            )
            assert any(e == end for _, e in words), (text[start:end], excerpt_markdown(hit.excerpt))


def assert_within_limits(embed: object) -> None:
    data = embed.to_dict()  # type: ignore[attr-defined]
    assert len(data.get("title", "")) <= MAX_TITLE
    assert len(data.get("description", "")) <= MAX_DESCRIPTION
    assert len(data.get("footer", {}).get("text", "")) <= MAX_FOOTER
    for field in data.get("fields", []):
        assert 0 < len(field["name"]) <= MAX_FIELD_NAME
        assert 0 < len(field["value"]) <= MAX_FIELD_VALUE
    assert len(embed) <= MAX_TOTAL  # type: ignore[arg-type]
    assert not PINGS.search(str(data))
    rendered_texts = [data.get("title", ""), data.get("description", "")]  # not the footer's
    for text in rendered_texts + [field["name"] for field in data.get("fields", [])]:
        assert not MASKED_LINK.search(text), text


@FAST
@given(docs=st.lists(TEXT, min_size=1, max_size=3), question=QUESTION, title=TEXT)
@example(  # discord.py's escape_markdown left the second link (and the bold) live
    docs=["The river [a](https://a.example) or **b** [c](https://evil.example) floods."],
    question="[who](https://a.example) **floods** [the river](https://evil.example)?",
    title="[t](https://a.example) **T** [u](https://evil.example)",
)
def test_every_message_from_a_real_search_is_within_limits(
    docs: list[str], question: str, title: str
) -> None:
    documents = (
        parse_document(f"{i}.txt", t, {"title": title or None}) for i, t in enumerate(docs)
    )
    engine = SearchEngine.build(documents, OPTIONS)
    try:
        result = engine.search(question, k=10)
    except QueryError:
        return
    for page in range(1, page_count(len(result.hits)) + 1):
        reply = answer_reply(result, 1_100_000_000_000_000_001, page)
        assert reply.embed is not None
        assert_within_limits(reply.embed)
        assert len(reply.view.children) <= 25  # type: ignore[union-attr]
    for hit in result.hits:
        assert_within_limits(passage_embed(hit))
    assert len(content(question)) <= MAX_CONTENT


def odd_document(size: int) -> str:
    """``size`` characters cycling through every odd atom, with some words to find."""
    cycle = " ".join([*ATOMS, "The river floods the dam every spring."])
    return (cycle * (size // len(cycle) + 1))[:size]


def test_a_100k_character_document_of_odd_text() -> None:
    text = odd_document(100_000)
    engine = SearchEngine.build([parse_document("big.txt", text)])
    result = engine.search("When does the river flood the dam?", k=10)
    assert len(result.hits) == 10
    for hit in result.hits:
        assert text[hit.excerpt.start : hit.excerpt.end] == hit.excerpt.text
        assert rendered(excerpt_markdown(hit.excerpt))[0] == hit.excerpt.text
    assert_within_limits(answer_embed(result))


@pytest.mark.parametrize(
    "question",
    ["?!?!... ¿¡—…", "the of and to is was", "** __ || ``` > #", "\u200b\u200d\ufeff", "🙂🙃"],
)
def test_punctuation_stopwords_or_markup_alone_find_nothing(question: str) -> None:
    engine = SearchEngine.build([parse_document("a.txt", odd_document(5_000))])
    result = engine.search(question)
    assert (result.hits, result.answered) == ((), False)
    assert_within_limits(answer_embed(result))


def test_a_6000_character_question_is_refused_with_its_length() -> None:
    engine = SearchEngine.build([parse_document("a.txt", odd_document(5_000))])
    with pytest.raises(
        QueryError, match=f"6000 characters long; the limit is {MAX_QUESTION_CHARS}"
    ):
        engine.search(("river " * 1000)[:5999] + "?")
