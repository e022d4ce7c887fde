"""The command handlers behind ``python -m retrieval.eval``: load, evaluate, print."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from retrieval.errors import EvalError
from retrieval.eval import report
from retrieval.eval.beir import evaluate_beir, load_beir
from retrieval.eval.compare import compare_scores
from retrieval.eval.feedback import judgments_from_export
from retrieval.eval.gate import Check, check, load_gate_sets
from retrieval.eval.metrics import MEASURES
from retrieval.eval.options import describe, load_options, options_from_args
from retrieval.eval.plots import plot_sweep
from retrieval.eval.questions import load_questions, question_record
from retrieval.eval.runner import evaluate, evaluate_engine
from retrieval.eval.runs import load_run
from retrieval.eval.sweep import DEFAULT_GRID, run_sweep, write_csv
from retrieval.types import EngineOptions

__all__ = ["beir", "compare", "from_export", "gate", "run", "sweep"]

SWEEP_COLUMNS = (
    "excerpt hit@1",
    "excerpt hit@3",
    "excerpt mrr@10",
    "chunk mrr@10",
    "answerable flagged",
)


def _print_json(record: Any) -> None:
    print(json.dumps(record, ensure_ascii=False, indent=2))


def run(args: argparse.Namespace) -> int:
    questions = load_questions(args.questions)
    options = None if args.run_file else options_from_args(args)
    if options is None:
        ev = evaluate(questions, load_run(args.run_file))
    else:
        ev = evaluate_engine(questions, options, args.corpus, args.k)
    if args.json:
        _print_json(report.evaluation_json(ev, options, args.per_question))
        return 0
    print(f"run file {args.run_file}" if options is None else f"engine: {describe(options)}")
    print(report.evaluation_table(ev))
    if args.per_question:
        print("\nfirst relevant rank per question (- = none in the top k)")
        print(report.question_table(ev.rows))
    return 0


def _check_line(c: Check) -> str:
    t = c.threshold
    verdict = "ok  " if c.passed else "FAIL"
    relation = ">=" if c.passed else "<"
    return f"{verdict} {t.level} {t.metric}: {c.value:.3f} {relation} {t.minimum:.3f}"


def gate(args: argparse.Namespace) -> int:
    failed = []
    for gate_set in load_gate_sets(args.thresholds):
        if gate_set.questions is None and args.questions is None:
            continue
        questions = load_questions(gate_set.questions or args.questions)
        corpus = gate_set.corpus or args.corpus
        evaluation = evaluate_engine(questions, options_from_args(args), corpus, args.k)
        label = f"{gate_set.name}: " if gate_set.name else ""
        for c in check(evaluation, gate_set.thresholds):
            print(label + _check_line(c))
            failed += [] if c.passed else [(label, c)]
    for label, c in failed:
        t = c.threshold
        print(
            f"regression: {label}{t.level} {t.metric} dropped to {c.value:.3f}, "
            f"below {t.minimum:.3f} ({args.thresholds})",
            file=sys.stderr,
        )
    return 1 if failed else 0


def beir(args: argparse.Namespace) -> int:
    options = options_from_args(args)
    scores = evaluate_beir(
        load_beir(args.directory, args.split), options, first_stage=args.first_stage
    )
    if args.json:
        _print_json({"options": describe(options), "queries": scores.queries, **scores.means})
    else:
        print(f"engine: {describe(options)}" + (" (first stage only)" if args.first_stage else ""))
        print(report.beir_table([scores]))
    return 0


def _grid(args: argparse.Namespace) -> dict[str, tuple[object, ...]]:
    given = {name: getattr(args, name) for name in DEFAULT_GRID}
    return {
        name: tuple(v.strip() for v in raw.split(",")) if raw else DEFAULT_GRID[name]
        for name, raw in given.items()
    }


def sweep(args: argparse.Namespace) -> int:
    questions = load_questions(args.questions)
    base = load_options(args.options) if args.options else EngineOptions()
    started = time.perf_counter()
    rows = run_sweep(
        questions, args.corpus, _grid(args), base, k=args.k, progress=not args.no_progress
    )
    seconds = time.perf_counter() - started
    if args.sort not in rows[0].figures:
        raise EvalError(f"cannot sort by {args.sort!r}; use one of {', '.join(rows[0].figures)}")
    write_csv(rows, args.csv)
    plot_sweep(rows, args.plot)
    ranked = sorted(rows, key=lambda r: -r.figures[args.sort])
    if args.json:
        _print_json([{**{k: str(v) for k, v in r.setting.items()}, **r.figures} for r in ranked])
        return 0
    columns = list(dict.fromkeys([args.sort, *SWEEP_COLUMNS]))
    print(report.sweep_table(ranked[: args.top], columns))
    print(f"{len(rows)} configurations in {seconds:.1f} s; all rows: {args.csv}; plot: {args.plot}")
    return 0


def compare(args: argparse.Namespace) -> int:
    if args.metric not in MEASURES:
        raise EvalError(f"unknown metric {args.metric!r}; use one of {', '.join(MEASURES)}")
    questions = load_questions(args.questions)
    a, b = (load_options(spec) if spec.strip() else EngineOptions() for spec in (args.a, args.b))
    scores = [
        evaluate_engine(questions, options, args.corpus, args.k).levels[args.level].per_question
        for options in (a, b)
    ]
    result = compare_scores(args.metric, scores[0], scores[1], args.test)
    if args.json:
        _print_json({"a": describe(a), "b": describe(b), **report.comparison_json(result)})
        return 0
    print(f"A: {describe(a)}\nB: {describe(b)}\nlevel: {args.level}")
    texts = {q.qid: q.question for q in questions}
    print(report.comparison_table(result, texts, args.all))
    return 0


def from_export(args: argparse.Namespace) -> int:
    judged = judgments_from_export(args.exports, args.corpus)
    lines = [json.dumps(question_record(q), ensure_ascii=False) for q in judged]
    text = "".join(line + "\n" for line in lines)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    positive = sum(1 for q in judged if q.relevant)
    print(
        f"{len(judged)} judgments: {positive} net 👍, {len(judged) - positive} net 👎 or unusable",
        file=sys.stderr,
    )
    return 0
