from __future__ import annotations

import pytest

from retrieval import MAX_K, EngineOptions, QueryError, SearchEngine, parse_document

TINY = [
    parse_document("a.txt", "Rivers\n\nThe river floods every spring. Farmers plant rice."),
    parse_document("b.txt", "Dams\n\nEngineers built dams on the river to stop floods."),
]


@pytest.mark.parametrize("question", ["", "   \n", "x" * 2001])
def test_unusable_questions_raise_one_line_errors(seed_engine, question: str) -> None:
    with pytest.raises(QueryError) as err:
        seed_engine.search(question)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("question", ["?!", "what is the and of it", "zxqv blorpt"])
def test_questions_without_known_terms_get_no_hits(seed_engine, question: str) -> None:
    result = seed_engine.search(question)
    assert result.hits == ()
    assert result.answered is False


def test_k_is_clamped(seed_engine) -> None:
    assert len(seed_engine.search("North Korea phones", k=0).hits) == 1
    assert len(seed_engine.search("North Korea phones", k=10_000).hits) <= MAX_K


def test_hits_are_distinct_passages_in_score_order(seed_engine) -> None:
    hits = seed_engine.search("cell phone users in North Korea", k=20).hits
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for i, a in enumerate(hits):
        for b in hits[i + 1 :]:
            same_doc = a.chunk.doc_id == b.chunk.doc_id
            assert not (
                same_doc and a.excerpt.start < b.excerpt.end and b.excerpt.start < a.excerpt.end
            )


def test_excerpts_are_short_inside_their_chunk_and_cited(seed_engine) -> None:
    for hit in seed_engine.search("How much is a prepaid plan?", k=5).hits:
        doc = seed_engine.document(hit.chunk.doc_id)
        assert hit.chunk.start <= hit.excerpt.start < hit.excerpt.end <= hit.chunk.end
        assert hit.excerpt.end - hit.excerpt.start <= 400
        assert doc.text[hit.excerpt.start : hit.excerpt.end] == hit.excerpt.text
        assert (hit.citation.start, hit.citation.end) == (hit.excerpt.start, hit.excerpt.end)
        assert hit.citation.title == doc.title
        assert hit.citation.paragraph >= 1


def test_answers_and_abstains(seed_engine) -> None:
    top = seed_engine.search("How much is a prepaid plan?").hits[0]
    assert "$13" in top.excerpt.text
    marked = [top.excerpt.text[m.start - top.excerpt.start : m.end - top.excerpt.start]
              for m in top.excerpt.marks]  # fmt: skip
    assert {"Prepaid", "plan"} <= set(marked)
    assert seed_engine.search("How much is a prepaid plan?").answered
    assert not seed_engine.search("What is the capital of France?").answered


def test_equal_scores_tie_break_on_chunk_id() -> None:
    twins = [parse_document(f"{n}.txt", "Same words here about rivers.") for n in "ab"]
    engine = SearchEngine.build([*twins, parse_document("c.txt", "Other text on dams.")])
    hits = engine.search("rivers").hits
    assert [h.chunk.doc_id for h in hits] == ["a.txt", "b.txt"]


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_two_document_corpus_still_ranks(variant) -> None:
    # BM25Okapi's IDF is log((N - df + .5) / (df + .5)): zero or negative when N is 2.
    engine = SearchEngine.build(TINY, EngineOptions(variant=variant))
    hits = engine.search("Which farmers plant rice by the river?").hits
    assert hits
    assert hits[0].chunk.doc_id == "a.txt"
    assert all(h.score > 0 for h in hits)


def test_rank_documents_scores_each_document_by_its_best_passage() -> None:
    docs = [
        parse_document("a.txt", "Rivers flood. " * 30 + "Dams hold rivers back."),
        parse_document("b.txt", "A dam on the river."),
        parse_document("c.txt", "Nothing relevant here at all."),
    ]
    ranked = SearchEngine.build(docs, EngineOptions(chunk_tokens=16, overlap_tokens=4))
    result = ranked.rank_documents("dams", 10)
    assert [doc for doc, _ in result] == ["b.txt", "a.txt"]
    assert result[0][1] >= result[1][1] > 0
    assert len(ranked.rank_documents("dams", 1)) == 1
