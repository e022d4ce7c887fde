from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval import parse_document
from retrieval.documents.chunking import chunk_document, indexable_spans
from retrieval.tokenizer import encoding

# Words, curly punctuation, emoji (multi-byte, split inside tokens), newlines and spaces.
PIECES = st.sampled_from(
    ["North", "Korea’s", "“quoted”", "—", "🇰🇵", "👩‍💻", "é", "x\u0301", "Ω", ".", "\n", "\n\n", " "]
)
TEXTS = st.one_of(
    st.text(min_size=0, max_size=400),
    st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=300).map("".join),
)


def _covered(text: str, chunks) -> set[int]:
    return {i for c in chunks for i in range(c.start, c.end)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, size=st.integers(16, 64), overlap=st.integers(0, 15))
def test_chunks_round_trip_fit_the_budget_and_cover_the_text(text, size, overlap) -> None:
    doc = parse_document("d.txt", text)
    chunks = chunk_document(doc, size, overlap)
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert chunk.n_tokens == len(encoding().encode_ordinary(chunk.text)) <= size
    covered = _covered(text, chunks)
    for span in indexable_spans(doc):
        for i in range(span.start, span.end):
            assert i in covered or text[i].isspace(), f"char {i} {text[i]!r} not in any chunk"


def test_offsets_survive_multibyte_characters_split_inside_tokens() -> None:
    text = "“Ünïcödé” — déjà vu. " * 40
    chunks = chunk_document(parse_document("d.txt", text), 16, 4)
    assert len(chunks) > 5
    assert all(c.text == text[c.start : c.end] for c in chunks)


def test_windows_snap_to_sentence_boundaries_where_possible() -> None:
    text = " ".join(f"Sentence number {i} talks about rivers." for i in range(40))
    chunks = chunk_document(parse_document("d.txt", text), 32, 8)
    assert all(c.text.startswith("Sentence") and c.text.endswith(".") for c in chunks)
    assert all(a.start < b.start < a.end for a, b in itertools.pairwise(chunks))


def test_boilerplate_is_never_chunked() -> None:
    text = ("The river floods every spring and farmers plant rice afterwards. " * 8) + (
        "\n\nSubscribe to our newsletter!\n\nFollow us\n\nMost Popular"
    )
    doc = parse_document("d.txt", text)
    footer = text.index("Subscribe")
    assert all(c.end <= footer for c in chunk_document(doc, 32, 8))
