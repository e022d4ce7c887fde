"""Judgments from the bot's query log: 👍/👎 votes on logged answers → a question set.

What a vote means as a judgment (votes are per answer, not per passage):

* net 👍 (more up- than down-votes): the user found the answer among the passages shown, so
  every shown excerpt becomes relevant evidence and the question is answerable. This is lenient
  on purpose: we cannot tell which passage helped, and hit@k asks only for any of them.
* net 👎: the shown excerpts did not answer. They go to ``irrelevant``; the question stays
  answerable (a user expected an answer; a 👎 does not show that the documents lack one) with
  no relevant evidence, so it is *unjudged*: left out of the ranking metrics until someone
  labels it, and reported as "top excerpt is one users rejected" while the engine still shows one.
* a tie, or no votes: no judgment; the query is skipped.

Evidence text is read from the corpus files, so spans that no longer fit a file (the corpus
changed since the query was logged) are dropped with a warning. The log is opened read-only.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from retrieval.corpus import load_corpus
from retrieval.eval.errors import EvalError
from retrieval.eval.types import Evidence, Question
from retrieval.types import Span

__all__ = ["judgments_from_log"]

log = logging.getLogger(__name__)

_VOTED = """
    SELECT q.id, q.question, SUM(f.vote) AS net
    FROM queries AS q JOIN feedback AS f ON f.query_id = q.id
    GROUP BY q.id ORDER BY q.id
"""
_SHOWN = """
    SELECT doc, excerpt_start, excerpt_end FROM hits
    WHERE query_id = ? AND excerpt_start IS NOT NULL AND excerpt_end IS NOT NULL
    ORDER BY rank
"""


def _connect(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise EvalError(f"query log {path} does not exist")
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise EvalError(f"cannot open query log {path}: {exc}") from exc


def _evidence(doc: str, start: int, end: int, texts: Mapping[str, str]) -> Evidence | None:
    text = texts.get(doc)
    if text is None or not 0 <= start < end <= len(text):
        log.warning("dropping logged span %s [%d, %d): not in the corpus any more", doc, start, end)
        return None
    return Evidence(doc, Span(start, end), text[start:end])


def _judgment(
    db: sqlite3.Connection, qid: int, question: str, net: int, texts: Mapping[str, str]
) -> Question:
    rows = db.execute(_SHOWN, (qid,)).fetchall()
    spans = (_evidence(str(doc), int(start), int(end), texts) for doc, start, end in rows)
    shown = tuple(e for e in spans if e is not None)
    if net > 0:
        return Question(f"log-{qid}", question, True, relevant=shown)
    return Question(f"log-{qid}", question, True, irrelevant=shown)


def judgments_from_log(db_path: Path | str, corpus: Path | str) -> tuple[Question, ...]:
    """One question per logged query with a net 👍 or net 👎, in query-id order."""
    texts = {doc.doc_id: doc.text for doc in load_corpus(corpus)}
    with contextlib.closing(_connect(Path(db_path))) as db:
        try:
            voted = db.execute(_VOTED).fetchall()
            judged = [_judgment(db, qid, text, net, texts) for qid, text, net in voted if net]
        except sqlite3.Error as exc:
            raise EvalError(f"{db_path} is not a docqa query log: {exc}") from exc
    log.info("%d judgments from %d voted queries", len(judged), len(voted))
    return tuple(judged)
