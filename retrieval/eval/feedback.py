"""Judgments from the bot's exported query log: 👍/👎 votes on logged answers → a question set.

The input is what ``/docqa export format:jsonl`` attaches: one JSON object per logged
question, ``{"id", "question", ..., "hits": [{"rank", "doc", "excerpt_start",
"excerpt_end", ...}], "feedback": [{"user_id", "vote", "created_at"}]}``. This module never
opens the bot's database: the export is the interface between the two.

What a vote means as a judgment (votes are per answer, not per passage):

* net 👍 (more up- than down-votes): the user found the answer among the passages shown, so
  every shown excerpt becomes relevant evidence and the question is answerable. This is lenient
  on purpose: we cannot tell which passage helped, and hit@k asks only for any of them.
* net 👎: the shown excerpts did not answer. They go to ``irrelevant``; the question stays
  answerable (a user expected an answer; a 👎 does not show that the documents lack one) with
  no relevant evidence, so it is *unjudged*: left out of the ranking metrics until someone
  labels it, and reported as "top excerpt is one users rejected" while the engine still shows one.
* a tie, or no votes: no judgment; the question is skipped.

Evidence text is read from the corpus files, so spans that no longer fit a file (the corpus
changed since the question was logged) are dropped with a warning. A question that appears in
several files (overlapping exports) is judged once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from retrieval.documents.corpus import load_corpus
from retrieval.errors import EvalError
from retrieval.eval.jsonl import read_jsonl
from retrieval.eval.values import Evidence, Question
from retrieval.types import Span

__all__ = ["judgments_from_export"]

log = logging.getLogger(__name__)


def _evidence(doc: str, start: int, end: int, texts: Mapping[str, str]) -> Evidence | None:
    text = texts.get(doc)
    if text is None or not 0 <= start < end <= len(text):
        log.warning("dropping logged span %s [%d, %d): not in the corpus any more", doc, start, end)
        return None
    return Evidence(doc, Span(start, end), text[start:end])


def _judgment(record: Mapping[str, Any], net: int, texts: Mapping[str, str]) -> Question:
    qid = f"log-{record['id']}"
    hits = sorted(record["hits"], key=lambda hit: int(hit["rank"]))
    spans = (
        _evidence(str(h["doc"]), int(h["excerpt_start"]), int(h["excerpt_end"]), texts)
        for h in hits
    )
    shown = tuple(e for e in spans if e is not None)
    if net > 0:
        return Question(qid, str(record["question"]), True, relevant=shown)
    return Question(qid, str(record["question"]), True, irrelevant=shown)


def _net(where: str, record: Any) -> int:
    """The record's net vote; :class:`EvalError` naming the line if it is not an export's."""
    try:
        int(record["id"]), str(record["question"]), list(record["hits"])
        return sum(int(vote["vote"]) for vote in record["feedback"])
    except (KeyError, TypeError, ValueError) as exc:
        raise EvalError(f"{where}: not a /docqa export record ({exc!r})") from exc


def judgments_from_export(paths: Iterable[Path | str], corpus: Path | str) -> tuple[Question, ...]:
    """One question per exported question with a net 👍 or net 👎, in id order.

    Raises :class:`EvalError` (with ``file:line``) for a file that cannot be read or a line
    that is not a ``/docqa export`` JSONL record.
    """
    records: dict[int, tuple[Mapping[str, Any], int]] = {}
    for path in paths:
        for where, record in read_jsonl(Path(path), "export"):
            net = _net(where, record)
            records.setdefault(int(record["id"]), (record, net))
    texts = {doc.doc_id: doc.text for doc in load_corpus(corpus)}
    voted = [records[qid] for qid in sorted(records) if records[qid][0]["feedback"]]
    judged = [_judgment(record, net, texts) for record, net in voted if net]
    log.info("%d judgments from %d voted questions", len(judged), len(voted))
    return tuple(judged)
