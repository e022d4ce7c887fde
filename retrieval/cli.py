"""``python -m retrieval``: search a corpus from the terminal."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from retrieval.cache.persistence import default_cache_dir, load_or_build
from retrieval.documents.corpus import DEFAULT_CORPUS
from retrieval.errors import RetrievalError
from retrieval.indexcmd import add_index_parser, run_index
from retrieval.printable import printable
from retrieval.search.engine import MAX_K, SearchEngine
from retrieval.serialize import result_record
from retrieval.types import EngineOptions, Excerpt, SearchResult

__all__ = ["main"]

_CORPUS_HELP = "folder of documents (.txt, .md, .markdown, .rst, .pdf, .docx, .html, .htm)"
_BOLD, _RESET = "\033[1m", "\033[0m"
SEMANTIC_VARIABLE = "DOCQA_SEMANTIC"
_ON, _OFF = {"on", "true", "yes", "1"}, {"off", "false", "no", "0"}


class _PrintableFormatter(logging.Formatter):
    """Log lines with a file name's control characters shown as U+FFFD (an escape sequence in
    a name must not clear or recolour the terminal: :mod:`retrieval.printable`)."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


class CliError(Exception):
    """A one-line error for the user; the CLI exits non-zero."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage mistake reported in one line (exit status 2) instead of the usage
    block followed by the error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def _bot_cache() -> Path:
    """The bot's index cache, so the two share it: ``docqa-index/`` beside its database
    (``DOCQA_DB_PATH``, read here at the command line's edge) when set, else ``.cache/docqa``."""
    return default_cache_dir(os.environ.get("DOCQA_DB_PATH"))


def _where(parser: argparse.ArgumentParser, default: Any) -> None:
    """``--corpus``, ``--cache`` and ``--no-cache``, on the main parser (with ``default``) and
    on each command (suppressed when absent), so they may come before or after the command."""
    parser.add_argument("--corpus", type=Path, default=default(DEFAULT_CORPUS), help=_CORPUS_HELP)
    parser.add_argument(
        "--cache", type=Path, default=default(_bot_cache()), help="index cache folder"
    )
    parser.add_argument(
        "--no-cache", action="store_true", default=default(False), help="index in memory"
    )
    parser.add_argument(
        "--no-semantic",
        action="store_true",
        default=default(False),
        help="rank by words alone, without the sentence-embedding model (or DOCQA_SEMANTIC=off)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m retrieval", description=__doc__)
    _where(parser, lambda value: value)
    commands = parser.add_subparsers(dest="command", required=True)
    add_index_parser(commands)
    search = commands.add_parser("search", help="answer a question with cited passages")
    search.add_argument("question", nargs="?", help="the question (omit with --batch)")
    search.add_argument("--k", type=int, default=5, help=f"number of passages (1-{MAX_K})")
    search.add_argument("--json", action="store_true", help="print one JSON object")
    search.add_argument(
        "--batch",
        type=Path,
        metavar="FILE.jsonl",
        help="answer every {id, question} line; write JSON lines to stdout",
    )
    docs = commands.add_parser("docs", help="list the documents with their chunks and tokens")
    for command in (search, docs):
        _where(command, lambda _value: argparse.SUPPRESS)
    return parser


def _shown(excerpt: Excerpt, bold: bool) -> str:
    """The excerpt as plain text; its marked words in ANSI bold when ``bold``."""
    text = printable(excerpt.text)
    out: list[str] = [printable(excerpt.header_text) + "\n"] if excerpt.header_text else []
    pos = excerpt.start
    for mark in excerpt.marks if bold else ():
        out.append(text[pos - excerpt.start : mark.start - excerpt.start])
        out.append(_BOLD + text[mark.start - excerpt.start : mark.end - excerpt.start] + _RESET)
        pos = mark.end
    out.append(text[pos - excerpt.start :])
    return "".join(out).replace("\n", "\n    ")


def format_result(result: SearchResult, *, bold: bool = False) -> str:
    """Human-readable hits: numbered, titled, cited; query words in ANSI bold when ``bold``;
    the documents' own control characters shown as U+FFFD (:mod:`retrieval.printable`)."""
    if not result.hits:
        return "No passage in the documents matches that question."
    lines = (
        [] if result.answered else ["The documents don't seem to answer that. Closest passages:"]
    )
    for hit in result.hits:
        cite = hit.citation
        lines.append(
            f"[{hit.rank}] {printable(cite.label())}, chars {cite.start}–{cite.end}"
            f"  (score {hit.score:.2f})"
        )
        lines.append(f"    {_shown(hit.excerpt, bold)}")
    return "\n".join(lines)


def _questions(path: Path) -> list[tuple[str, str]]:
    """Every ``(id, question)`` of a JSONL file, all read before any is answered, so a bad line
    stops the run before it writes anything."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from exc
    return [q for number, line in enumerate(lines, start=1) if (q := _question(path, number, line))]


def _question(path: Path, number: int, line: str) -> tuple[str, str] | None:
    if not line.strip():
        return None
    try:
        item = json.loads(line)
        return str(item["id"]), str(item["question"])
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CliError(f"{path}:{number}: expected a JSON object with id and question") from exc


def _batch(engine: SearchEngine, path: Path, k: int, out: TextIO) -> None:
    for qid, question in _questions(path):
        try:
            record = result_record(engine.search(question, k), qid)
        except RetrievalError as exc:
            record = {"id": qid, "answered": False, "hits": [], "error": str(exc)}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


_CELL = str.maketrans({"\t": "\ufffd", "\n": "\ufffd", "\r": "\ufffd"})


def _cell(text: str) -> str:
    """A file name or title as one tab-separated field, printable (:mod:`retrieval.printable`)."""
    return printable(text).translate(_CELL)


def _docs(engine: SearchEngine, out: TextIO) -> None:
    counts = engine.chunk_counts()
    tokens = dict.fromkeys(counts, 0)
    for chunk in engine.chunks:
        tokens[chunk.doc_id] += chunk.n_tokens
    for doc in engine.documents:
        name, title = _cell(doc.doc_id), _cell(doc.title)
        out.write(f"{name}\t{title}\t{counts[doc.doc_id]} chunks\t{tokens[doc.doc_id]} tokens\n")
    for copy, original in engine.duplicates:
        out.write(f"{_cell(copy)}\t(same text as {_cell(original)}: not indexed)\n")


def semantic_setting(env_file: Path = Path(".env")) -> str | None:
    """``DOCQA_SEMANTIC`` as the bot reads it: the environment, else ``env_file`` in the
    current folder; names compare without case."""
    found: dict[str, str | None] = {}
    if env_file.is_file():
        from dotenv import dotenv_values  # noqa: PLC0415 (only when there is a .env)

        found.update((k.upper(), v) for k, v in dotenv_values(env_file).items())
    found.update((k.upper(), v) for k, v in os.environ.items())
    return found.get(SEMANTIC_VARIABLE)


def switch(value: str) -> bool:
    """An on/off setting's value (on, off, true, false, yes, no, 1, 0; any case; blank is on, the
    default); raises ``ValueError`` naming the value otherwise."""
    word = value.strip().lower()
    if word and word not in _ON | _OFF:
        raise ValueError(f"must be on or off, not {value!r}")
    return word not in _OFF


def engine_options(no_semantic: bool, variable: str | None) -> EngineOptions:
    """The engine's options: the semantic stage is on unless ``--no-semantic`` is given or
    ``DOCQA_SEMANTIC`` (``variable``, the bot's setting) says off; raises :class:`CliError`
    for a value that is neither on nor off."""
    try:
        on = switch(variable or "")
    except ValueError as exc:
        raise CliError(f"{SEMANTIC_VARIABLE} {exc}") from None
    return EngineOptions(semantic=on and not no_semantic)


def run(args: argparse.Namespace, out: TextIO) -> None:
    if args.command == "search" and args.batch is None and args.question is None:
        raise CliError("give a question, or --batch FILE.jsonl")
    if args.command == "search" and args.batch is not None and args.question is not None:
        raise CliError("give a question or --batch FILE.jsonl, not both")
    if args.command == "search" and not 1 <= args.k <= MAX_K:
        raise CliError(f"--k must be between 1 and {MAX_K} (got {args.k})")
    options = engine_options(args.no_semantic, semantic_setting())
    if args.command == "index":
        run_index(args, out, options)
        return
    engine = (
        SearchEngine.from_directory(args.corpus, options)
        if args.no_cache
        else load_or_build(args.corpus, options, args.cache)
    )
    if args.command == "docs":
        _docs(engine, out)
    elif args.batch:
        _batch(engine, args.batch, args.k, out)
    else:
        result = engine.search(args.question, args.k)
        text = (
            json.dumps(result_record(result), ensure_ascii=False)
            if args.json
            else format_result(result, bold=out.isatty())
        )
        out.write(text + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    handler = logging.StreamHandler()
    handler.setFormatter(_PrintableFormatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    args = _parser().parse_args(argv)
    try:
        run(args, sys.stdout)
    except (CliError, RetrievalError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: the terminal shows ^C; an interrupted build writes nothing
        return 130
    return 0
