"""Plain-text tables and JSON-ready dicts of evaluation results (the CLI prints them)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from retrieval.eval.beir import BEIR_MEASURES, BeirScores
from retrieval.eval.compare import Comparison
from retrieval.eval.metrics import MEASURES
from retrieval.eval.runner import Evaluation, QuestionRow
from retrieval.eval.sweep import SweepRow
from retrieval.eval.values import LEVELS
from retrieval.types import EngineOptions

__all__ = [
    "beir_table",
    "comparison_table",
    "evaluation_json",
    "evaluation_table",
    "question_table",
    "sweep_table",
    "table",
]


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned text columns; floats to three decimals, None as "-"."""
    cells = [list(headers)] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def evaluation_table(ev: Evaluation) -> str:
    """Ranking metrics per level, then abstention, excerpt length and latency."""
    n = len(next(iter(ev.levels.values())).per_question)
    rows = [[name, *(ev.levels[level].means[name] for level in LEVELS)] for name in MEASURES]
    a, t = ev.abstention, ev.timing
    lines = [
        f"{ev.questions} questions, {n} judged (answerable with evidence), {ev.unjudged} unjudged",
        table(["metric", *LEVELS], rows),
        f"abstention: unanswerable flagged {a.unanswerable_flagged}/{a.unanswerable}, "
        f"answerable wrongly flagged {a.answerable_flagged}/{a.answerable}",
        f"excerpt chars (top 3 hits): mean {_cell(t.excerpt_chars_mean)}, "
        f"median {_cell(t.excerpt_chars_median)}",
        f"latency: p50 {_ms(t.latency_p50_ms)}, p95 {_ms(t.latency_p95_ms)}",
    ]
    if ev.rejected_at_top:
        lines.append(f"top excerpt is one users rejected: {ev.rejected_at_top} questions")
    return "\n".join(lines)


def question_table(rows: Sequence[QuestionRow], width: int = 60) -> str:
    """Per question: first relevant rank per level, expected vs top document, the question."""
    headers = ["id", "ans", "flagged", "excerpt", "chunk", "expected doc", "top doc", "question"]
    body = [
        [
            r.qid,
            "yes" if r.answerable else "no",
            None if r.answered is None else ("no" if r.answered else "yes"),
            r.excerpt_rank,
            r.chunk_rank,
            ",".join(d[:12] for d in r.expected_docs) or None,
            None if r.top_doc is None else r.top_doc[:12],
            r.question[:width],
        ]
        for r in rows
    ]
    return table(headers, body)


def evaluation_json(
    ev: Evaluation, options: EngineOptions | None = None, per_question: bool = False
) -> dict[str, Any]:
    """Every figure as plain JSON types; ``per_question`` adds the rows."""
    record: dict[str, Any] = {"questions": ev.questions, "unjudged": ev.unjudged}
    if options is not None:
        record["options"] = dataclasses.asdict(options)
    for level in LEVELS:
        scores = ev.levels[level]
        record[level] = {"n": len(scores.per_question), **scores.means}
    record["abstain"] = dataclasses.asdict(ev.abstention)
    record["timing"] = dataclasses.asdict(ev.timing)
    record["rejected_at_top"] = ev.rejected_at_top
    if per_question:
        record["per_question"] = [dataclasses.asdict(r) for r in ev.rows]
    return record


def beir_table(scores: Sequence[BeirScores]) -> str:
    """One row per system: the BEIR measures, the number of queries and the time taken."""
    names = list(BEIR_MEASURES)
    rows = [[s.system, s.queries, *(s.means[n] for n in names), f"{s.seconds:.1f}"] for s in scores]
    return table(["system", "queries", *names, "seconds"], rows)


def sweep_table(rows: Sequence[SweepRow], columns: Sequence[str]) -> str:
    """Rows as given (already ranked): the grid values, then the chosen figures."""
    settings = list(rows[0].setting) if rows else []
    body = [
        [*(str(r.setting[s]) for s in settings), *(r.figures[c] for c in columns)] for r in rows
    ]
    return table([*settings, *columns], body)


def comparison_table(c: Comparison, questions: Mapping[str, str], show_ties: bool) -> str:
    """Summary lines, then each question where the configurations differ (or all)."""
    pairs = [p for p in c.pairs if show_ties or p.difference]
    body = [[p.qid, p.a, p.b, p.difference, questions.get(p.qid, "")[:60]] for p in pairs]
    return "\n".join(
        [
            f"{c.metric}: A {c.mean_a:.3f}, B {c.mean_b:.3f} (B - A = {c.mean_b - c.mean_a:+.3f})",
            f"B wins {c.wins}, loses {c.losses}, ties {c.ties} of {len(c.pairs)} questions",
            f"paired {c.test} test: p = {c.p_value:.4f}",
            table(["id", "A", "B", "B - A", "question"], body) if body else "(no differences)",
        ]
    )


def comparison_json(c: Comparison) -> dict[str, Any]:
    record = dataclasses.asdict(c)
    record["pairs"] = [dataclasses.asdict(p) for p in c.pairs]
    return record
