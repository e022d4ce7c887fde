"""The engine under hostile and odd text: nothing raises, every offset is valid."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval import QueryError, SearchEngine, parse_document

ODD = st.sampled_from(
    [
        "👩‍👩‍👧‍👦",
        "🇰🇵",
        "e\u0301",
        "\u200b",
        "\u200d",
        "\u202e",
        "שלום",
        "مرحبا",
        "\x00",
        "\x1b[31m",
        "\ud800",
        "**",
        "__",
        "`",
        "||",
        "# ",
        "> ",
        "@everyone",
        "<@123>",
        "[x](http://a.b)",
        "discord.gg/abc",
        " ",
        "\n",
        ".",
        "river",
        "Rivers",
        "dam",
    ]
)
TEXT = st.lists(st.one_of(ODD, st.text(max_size=8)), max_size=120).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=st.lists(TEXT, min_size=1, max_size=4), question=TEXT)
def test_search_never_raises_and_offsets_are_valid(docs, question) -> None:
    engine = SearchEngine.build(parse_document(f"{i}.txt", t) for i, t in enumerate(docs))
    try:
        result = engine.search(question, k=5)
    except QueryError:
        assert not question.strip() or len(question.strip()) > 2000
        return
    for hit in result.hits:
        text = engine.document(hit.chunk.doc_id).text
        assert text[hit.excerpt.start : hit.excerpt.end] == hit.excerpt.text
        # An excerpt is whole units around its passage: it overlaps the passage, within the text.
        assert 0 <= hit.excerpt.start <= hit.excerpt.end <= len(text)
        assert hit.excerpt.start < hit.chunk.end
        assert hit.chunk.start < hit.excerpt.end or hit.excerpt.start == hit.excerpt.end


def test_huge_document_and_long_question() -> None:
    text = ("The river floods in spring. " * 4000)[:100_000]
    engine = SearchEngine.build([parse_document("big.txt", text)])
    result = engine.search("river flood " * 150)
    assert result.hits
    assert all(h.excerpt.end - h.excerpt.start <= 400 for h in result.hits)
    with pytest.raises(QueryError):
        engine.search("river " * 1000)


@pytest.mark.parametrize("question", ["?!?!...", "the of and to is", "¿¡—…"])
def test_punctuation_or_stopword_questions_have_no_hits(question: str) -> None:
    engine = SearchEngine.build([parse_document("a.txt", "The river floods.")])
    assert engine.search(question).hits == ()
