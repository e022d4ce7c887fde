"""``python -m retrieval.eval``: offline evaluation of docqa's retrieval.

run          dev-set figures (excerpt and chunk level), abstention, excerpt length, latency
gate         fail when figures fall below eval/thresholds.toml (CI)
beir         nDCG@10, MAP@100 and recall@100 on a BEIR-layout collection
sweep        a grid over engine options: table, CSV and PNG
compare      two configurations question by question, with a paired significance test
from-export  turn 👍/👎 in the bot's /docqa export files (JSONL) into a question set
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from retrieval.documents.corpus import DEFAULT_CORPUS
from retrieval.errors import RetrievalError
from retrieval.eval import commands
from retrieval.eval.options import add_engine_arguments

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]


def _common(parser: argparse.ArgumentParser, questions: bool = True, required: bool = True) -> None:
    if questions:
        parser.add_argument(
            "--questions", type=Path, required=required, help="question set (JSONL)"
        )
        parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder")
        parser.add_argument("--k", type=int, default=10, help="hits per question (default 10)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")


def _run_parser(commands_: Any) -> None:
    run = commands_.add_parser("run", help="evaluate the engine on a question set")
    _common(run)
    run.add_argument("--run", dest="run_file", type=Path, help="score a `search --batch` file")
    run.add_argument("--per-question", action="store_true", help="add the per-question table")
    add_engine_arguments(run)
    gate = commands_.add_parser("gate", help="fail when figures drop below thresholds")
    _common(gate, required=False)
    gate.add_argument("--thresholds", type=Path, required=True, help="thresholds TOML file")
    add_engine_arguments(gate)


def _beir_parser(commands_: Any) -> None:
    beir = commands_.add_parser("beir", help="document-level figures on a BEIR collection")
    beir.add_argument(
        "directory", type=Path, help="folder with corpus.jsonl, queries.jsonl, qrels/"
    )
    beir.add_argument("--split", default="test", help="qrels split (default test)")
    beir.add_argument("--first-stage", action="store_true", help="rank by BM25 chunks only")
    _common(beir, questions=False)
    add_engine_arguments(beir)


def _sweep_parser(commands_: Any) -> None:
    sweep = commands_.add_parser("sweep", help="grid over engine options")
    _common(sweep)
    for name in ("k1", "b", "variant", "chunking", "stem", "stopwords"):
        sweep.add_argument(f"--{name}", metavar="A,B,...", help=f"values of {name} to try")
    sweep.add_argument("--options", metavar="SPEC", help="base options: key=value pairs or TOML")
    sweep.add_argument("--csv", type=Path, default=Path("out/sweep.csv"), help="CSV output")
    sweep.add_argument("--plot", type=Path, default=Path("out/sweep.png"), help="PNG output")
    sweep.add_argument("--sort", default="excerpt mrr@10", help="figure to rank rows by")
    sweep.add_argument("--top", type=int, default=15, help="rows in the printed table")
    sweep.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _compare_parser(commands_: Any) -> None:
    compare = commands_.add_parser("compare", help="two configurations, question by question")
    compare.add_argument("a", help="configuration A: 'k1=1.2 b=0.5' or a TOML file ('' = defaults)")
    compare.add_argument("b", help="configuration B, the same way")
    _common(compare)
    compare.add_argument("--metric", default="mrr@10", help="per-question metric (default mrr@10)")
    compare.add_argument("--level", choices=("excerpt", "chunk"), default="excerpt")
    compare.add_argument(
        "--test", choices=("randomization", "wilcoxon", "ttest"), default="randomization"
    )
    compare.add_argument("--all", action="store_true", help="list tied questions too")


def _from_export_parser(commands_: Any) -> None:
    from_export = commands_.add_parser(
        "from-export", help="judgments from the bot's /docqa export files (JSONL)"
    )
    from_export.add_argument("exports", type=Path, nargs="+", help="/docqa export JSONL files")
    from_export.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder")
    from_export.add_argument("--out", type=Path, help="write JSONL here instead of stdout")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m retrieval.eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    commands_ = parser.add_subparsers(dest="command", required=True)
    for add in (_run_parser, _beir_parser, _sweep_parser, _compare_parser, _from_export_parser):
        add(commands_)
    return parser


HANDLERS: dict[str, Handler] = {
    "run": commands.run,
    "gate": commands.gate,
    "beir": commands.beir,
    "sweep": commands.sweep,
    "compare": commands.compare,
    "from-export": commands.from_export,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    try:
        return HANDLERS[args.command](args)
    except RetrievalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
