"""The span-relevance adapter, on hits small enough to check by hand."""

from __future__ import annotations

from evalkit import ev, hit, question, run
from ir_measures import Qrel, ScoredDoc

from retrieval.eval.relevance import covers, first_relevant_rank, judge, rejected_at_top
from retrieval.eval.values import Question
from retrieval.types import Span

# Evidence [100, 140): 40 characters, so a unit must overlap at least 20 of them.
EVIDENCE = ev("a.txt", 100, 140)


def test_covers_needs_half_of_the_evidence_in_the_same_doc() -> None:
    assert covers("a.txt", Span(100, 140), EVIDENCE)  # exactly the evidence: 40/40
    assert covers("a.txt", Span(0, 1000), EVIDENCE)  # a long unit around it: 40/40
    assert covers("a.txt", Span(120, 300), EVIDENCE)  # overlap [120, 140) = 20/40: exactly half
    assert not covers("a.txt", Span(121, 300), EVIDENCE)  # overlap 19/40: under half
    assert covers("a.txt", Span(50, 120), EVIDENCE)  # overlap [100, 120) = 20/40 from the left
    assert not covers("a.txt", Span(140, 200), EVIDENCE)  # touches the end: overlap 0
    assert not covers("b.txt", Span(100, 140), EVIDENCE)  # same offsets, other document


def test_odd_length_evidence_needs_the_larger_half() -> None:
    odd = ev("a.txt", 0, 5)  # 5 characters: 2.5 needed, so 3
    assert covers("a.txt", Span(2, 5), odd)  # 3/5
    assert not covers("a.txt", Span(3, 5), odd)  # 2/5


def test_judge_names_each_hit_by_its_evidence_credit() -> None:
    q = question("q1", ev("a.txt", 0, 10), ev("a.txt", 500, 510))
    r = run(
        "q1",
        hit(1, "b.txt", (0, 10)),  # other document: not relevant
        hit(2, "a.txt", (500, 600)),  # covers evidence-1 fully: credited
        hit(3, "a.txt", (505, 700)),  # covers evidence-1 again (5/10): already credited, so not
        hit(4, "a.txt", (0, 4)),  # 4/10 of evidence-0: under half
        hit(5, "a.txt", (0, 5)),  # 5/10 of evidence-0: credited
    )
    judged = judge(q, r, "excerpt")
    assert judged.qrels == (Qrel("q1", "evidence-0", 1), Qrel("q1", "evidence-1", 1))
    # Scores fall with rank (5 hits: 5.0 down to 1.0), whatever the engine's scores were.
    assert judged.run == (
        ScoredDoc("q1", "hit-0", 5.0),
        ScoredDoc("q1", "evidence-1", 4.0),
        ScoredDoc("q1", "hit-2", 3.0),
        ScoredDoc("q1", "hit-3", 2.0),
        ScoredDoc("q1", "evidence-0", 1.0),
    )


def test_a_unit_covering_two_spans_is_credited_with_the_first_only() -> None:
    q = question("q1", ev("a.txt", 0, 10), ev("a.txt", 20, 30))
    r = run("q1", hit(1, "a.txt", (0, 30)), hit(2, "a.txt", (20, 30)))
    # Hit 1 covers both spans but counts once (evidence-0); hit 2 then earns evidence-1.
    assert [d.doc_id for d in judge(q, r, "excerpt").run] == ["evidence-0", "evidence-1"]


def test_levels_judge_excerpt_and_chunk_spans_separately() -> None:
    q = question("q1", ev("a.txt", 100, 140))
    # The excerpt [0, 50) misses the evidence; its chunk [0, 200) covers it.
    r = run("q1", hit(1, "a.txt", (0, 50), chunk=(0, 200)))
    assert first_relevant_rank(q, r, "excerpt") is None
    assert first_relevant_rank(q, r, "chunk") == 1


def test_first_relevant_rank_counts_from_one_and_handles_no_run() -> None:
    q = question("q1", EVIDENCE)
    r = run("q1", hit(1, "a.txt", (0, 10)), hit(2, "a.txt", (100, 140)))  # miss, then a hit
    assert first_relevant_rank(q, r, "excerpt") == 2
    assert first_relevant_rank(q, None, "excerpt") is None  # question missing from the run
    assert judge(q, None, "excerpt").run == ()


def test_rejected_at_top_looks_at_the_first_excerpt_only() -> None:
    q = Question("q1", "?", True, irrelevant=(EVIDENCE,))
    assert rejected_at_top(q, run("q1", hit(1, "a.txt", (100, 140))))  # rejected span on top
    assert not rejected_at_top(q, run("q1", hit(1, "a.txt", (0, 50)), hit(2, "a.txt", (100, 140))))
    assert not rejected_at_top(q, run("q1"))  # no hits at all
